import UnderstudyGenerators
import UnderstudyModel

extension DefaultResponder {
    /// With `response_format`, the JSON text that the last text output becomes.
    func structuredOutput(_ context: ResponseContext) -> String? {
        guard let schema = context.request.responseFormat else { return nil }
        let value = JSONSchemaInstance(seed: context.identity.seed, label: context.label + "|structured").instance(for: schema)
        return value.jsonString
    }
}
