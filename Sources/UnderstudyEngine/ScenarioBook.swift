import Synchronization
import UnderstudyModel

/// The loaded scenarios and the matching of requests against them.
public final class ScenarioBook: Sendable {
    public init() {}

    func reply(to context: ResponseContext, tenant: Tenant, engine: Engine) async throws(APIError) -> Reply? {
        nil
    }
}

/// A fault a scenario injects before a request is handled.
public struct ScenarioFault: Sendable {
    public var scenario: String
    public var delayMillis: Int = 0
    public var dropConnection = false
    public var error: APIError?
}

extension ScenarioBook {
    public func fault(route: String, tenantKey: String, engine: Engine) async throws(APIError) -> ScenarioFault? {
        nil
    }
}

extension ScenarioBook {
    public func summaries() -> [JSONValue] { [] }
    public func load(text: String, source: String) throws(APIError) -> [String] { [] }
    public func removeAll() {}
    public func remove(_ name: String) -> Bool { false }
}
