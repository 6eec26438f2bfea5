/// An error answer, in terms of Google's error model (HTTP status, canonical status name, message, details).
///
/// Every refusal Understudy gives is one of these, so every bad input is reported the same way, with the
/// offending field named in the message and, for validation errors, in a `google.rpc.BadRequest` detail.
public struct APIError: Error, Sendable, Hashable, CustomStringConvertible {
    public var httpStatus: Int
    public var status: String
    public var message: String
    /// Field path of the offending value, when one is to blame.
    public var field: String?
    /// Extra `details` entries (RetryInfo, ErrorInfo, ...).
    public var details: [JSONValue]
    /// Extra response headers (`retry-after`, `x-should-retry`, ...).
    public var headers: [String: String]

    public init(httpStatus: Int, status: String, message: String, field: String? = nil, details: [JSONValue] = [], headers: [String: String] = [:]) {
        self.httpStatus = httpStatus
        self.status = status
        self.message = message
        self.field = field
        self.details = details
        self.headers = headers
    }

    public var description: String { "\(httpStatus) \(status): \(message)" }

    public static func invalidArgument(_ message: String, field: String? = nil) -> APIError {
        APIError(httpStatus: 400, status: "INVALID_ARGUMENT", message: message, field: field)
    }
    public static func failedPrecondition(_ message: String, field: String? = nil) -> APIError {
        APIError(httpStatus: 400, status: "FAILED_PRECONDITION", message: message, field: field)
    }
    public static func notFound(_ message: String, field: String? = nil) -> APIError {
        APIError(httpStatus: 404, status: "NOT_FOUND", message: message, field: field)
    }
    public static func permissionDenied(_ message: String) -> APIError {
        APIError(httpStatus: 403, status: "PERMISSION_DENIED", message: message)
    }
    public static func unimplemented(_ message: String) -> APIError {
        APIError(httpStatus: 501, status: "UNIMPLEMENTED", message: message)
    }
    public static func internalError(_ message: String = "An internal error has occurred.") -> APIError {
        APIError(httpStatus: 500, status: "INTERNAL", message: message)
    }

    public static let interactionNotFound = APIError.notFound("Interaction not found.")

    public init(_ violation: SchemaViolation) {
        self = .invalidArgument(violation.message, field: violation.field.isEmpty ? nil : violation.field)
    }

    /// Canonical status name for an HTTP status, for errors scripted by status code alone.
    public static func canonicalStatus(forHTTP code: Int) -> String {
        switch code {
        case 400: return "INVALID_ARGUMENT"
        case 401: return "UNAUTHENTICATED"
        case 403: return "PERMISSION_DENIED"
        case 404: return "NOT_FOUND"
        case 409: return "ABORTED"
        case 412: return "FAILED_PRECONDITION"
        case 413: return "INVALID_ARGUMENT"
        case 429: return "RESOURCE_EXHAUSTED"
        case 499: return "CANCELLED"
        case 500: return "INTERNAL"
        case 501: return "UNIMPLEMENTED"
        case 503: return "UNAVAILABLE"
        case 504: return "DEADLINE_EXCEEDED"
        default: return code >= 500 ? "UNKNOWN" : "FAILED_PRECONDITION"
        }
    }

    /// Google's default message for a status, used when a scenario scripts only a code.
    public static func defaultMessage(forHTTP code: Int) -> String {
        switch code {
        case 429: return "You exceeded your current quota, please check your plan and billing details."
        case 500: return "An internal error has occurred."
        case 503: return "The model is overloaded. Please try again later."
        case 504: return "Deadline expired before operation could complete."
        case 404: return "Requested entity was not found."
        case 403: return "The caller does not have permission."
        default: return "Request failed with status \(code)."
        }
    }
}
