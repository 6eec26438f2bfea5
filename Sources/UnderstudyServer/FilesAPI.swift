import Hummingbird
import UnderstudyEngine
import UnderstudyModel

/// The Files API subset the SDK's `client.files` calls: upload, get, list, delete.
struct FilesAPI: Sendable {
    let engine: Engine
    let responses: Responses
    let bodyLimit: Int

    func respond(route: APIRoute, request: Request, key: String) async throws(APIError) -> Response {
        throw APIError.unimplemented("The Files API is not available in this build of Understudy.")
    }
}
