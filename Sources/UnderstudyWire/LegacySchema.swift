import UnderstudyModel

/// The request envelope of the Dec-2025 revision, as SDK 1.55.0 to 1.75.0 send it.
public enum LegacySchema {
    typealias F = ObjectSchema.Field

    public static let createRequest = SchemaType.object(
        ObjectSchema(
            "create interaction request",
            [
                F("model", .string),
                F("agent", .string),
                F("input", .oneOf([.string, .array(.any), .object(ObjectSchema("input", [], allowsUnknownMembers: true))], describe: "a string, a list of turns or content blocks, or one content block")),
                F("system_instruction", .string),
                F("tools", .array(APISchema.tool)),
                F("generation_config", APISchema.generationConfig),
                F("agent_config", APISchema.agentConfig),
                F("response_format", .freeObject),
                F("response_mime_type", .string),
                F("response_modalities", .array(.enumeration("response_modalities", APISchema.modalities, caseInsensitive: true))),
                F("previous_interaction_id", .string),
                F("stream", .bool),
                F("store", .bool),
                F("background", .bool),
                F("service_tier", .enumeration("service_tier", ["flex", "standard", "priority"], caseInsensitive: true)),
                F("webhook_config", .object(ObjectSchema("webhook_config", [F("uris", .array(.string)), F("user_metadata", .freeObject)]))),
            ]))
}
