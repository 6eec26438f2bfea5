import NIOCore
import Synchronization
import UnderstudyEngine
import UnderstudyModel

/// The encoded JSON of interactions as last sent, by (tenant, id, revision). An interaction that has
/// not changed answers every GET with the same bytes, so they are printed once, not per request.
///
/// Entries are keyed by the engine's reset count as well: a reset lets an id be issued again for other
/// content. Bounded; the oldest entries go first.
final class EncodedInteractions: Sendable {
    struct Key: Hashable {
        let resets: Int
        let tenant: String
        let id: String
        let revision: Int64
        let includeInput: Bool
    }

    private struct State {
        var entries: [Key: ByteBuffer] = [:]
        var order: [Key?]
        var next = 0
    }

    private let state: Mutex<State>

    init(capacity: Int = 4096) {
        state = Mutex(State(order: Array(repeating: nil, count: max(1, capacity))))
    }

    static func key(_ record: InteractionRecord, includeInput: Bool, resets: Int) -> Key {
        Key(resets: resets, tenant: record.tenant, id: record.id, revision: record.revision, includeInput: includeInput)
    }

    func get(_ key: Key) -> ByteBuffer? { state.withLock { $0.entries[key] } }

    func put(_ key: Key, _ body: ByteBuffer) {
        state.withLock { s in
            if s.entries[key] != nil { return }
            if let evicted = s.order[s.next] { s.entries[evicted] = nil }
            s.order[s.next] = key
            s.entries[key] = body
            s.next = (s.next + 1) % s.order.count
        }
    }
}
