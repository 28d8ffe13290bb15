/// Sizes in messages and options: `1.5 GiB` out, `4G`, `512MiB`, `10240` in.
public enum ByteSize {
    /// `512 B`, `3.5 KiB`, `1.5 GiB`.
    public static func text(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) B" }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }

    /// Bytes, or a number with a binary unit: `K`/`KiB`, `M`/`MiB`, `G`/`GiB`, `T`/`TiB`
    /// (case-insensitive, `B` optional). nil for anything else, zero or negative.
    public static func parse(_ text: String) -> Int64? {
        let lower = text.trimmingSpaces.lowercased()
        let digits = lower.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let number = Int64(digits), number > 0 else { return nil }
        let shifts: [String: Int64] = [
            "": 0, "b": 0, "k": 10, "kib": 10, "kb": 10, "m": 20, "mib": 20, "mb": 20,
            "g": 30, "gib": 30, "gb": 30, "t": 40, "tib": 40, "tb": 40,
        ]
        let unit = String(lower.dropFirst(digits.count)).trimmingSpaces
        guard let shift = shifts[unit], number <= Int64.max >> shift else { return nil }
        return number << shift
    }

    /// Bytes a host's file system needs for these members: each file rounded up to 4 KiB
    /// blocks, and a block for every directory and link.
    public static func onDisk(_ files: [BundleManifest.File]) -> Int64 {
        files.reduce(0) { total, file in
            total + (file.type == .file ? (file.size + 4095) / 4096 * 4096 : 4096)
        }
    }
}
