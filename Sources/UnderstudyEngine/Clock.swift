import Foundation

/// Where "now" comes from. Nothing in Understudy reads the wall clock except through `RealClock`.
public protocol WallClock: Sendable {
    func nowMillis() -> Int64
}

/// The system clock, for `--clock real`.
public struct RealClock: WallClock {
    public init() {}
    public func nowMillis() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }
}

/// How each tenant's clock behaves.
public enum ClockMode: Sendable, Hashable {
    /// Starts at a fixed instant per tenant and moves only when told to (admin API) or by `tickMillis`
    /// per created interaction, so runs are reproducible.
    case simulated(startMillis: Int64, tickMillis: Int64)
    /// Follows the wall clock (plus any offset set through the admin API).
    case real

    /// 2025-12-15T10:00:00Z, a day in the life of the Dec-2025 revision.
    public static let defaultStartMillis: Int64 = 1_765_792_800_000
    public static let `default` = ClockMode.simulated(startMillis: defaultStartMillis, tickMillis: 1000)
}
