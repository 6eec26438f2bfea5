/// Durations written as `1500ms`, `90s`, `15m`, `24h`, `55d` (or a bare number of seconds).
public enum DurationText {
    public static func parseMillis(_ text: String) -> Int64? {
        let t = text.trimmingPrefix(" ").split(separator: " ").joined().lowercased()
        let units: [(String, Double)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for (suffix, factor) in units where t.hasSuffix(suffix) {
            guard let v = Double(t.dropLast(suffix.count)), v.isFinite, abs(v * factor) < 9e15 else { return nil }
            return Int64(v * factor)
        }
        guard let v = Double(t), v.isFinite, abs(v * 1000) < 9e15 else { return nil }
        return Int64(v * 1000)
    }
}
