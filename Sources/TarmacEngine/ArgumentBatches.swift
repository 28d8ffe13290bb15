/// How a program splits per-path arguments into batches, one external command (`stat`,
/// `sha256sum`, `ls`) per batch: at most `maxCount` items and `maxBytes` of argument text each,
/// well under the kernel's 128 KiB per-argument and 2 MiB per-exec limits (and under the
/// 128 KiB an exec gets with the smallest stack limit).
///
/// A host pays a process per batch and little per path, so batches are as large as is safe:
/// with 200 paths a batch, a deployment of 2,548 files started over a hundred `stat`
/// processes on every host.
public enum ArgumentBatches {
    public static let maxCount = 1000
    public static let maxBytes = 64 * 1024

    /// Consecutive ranges of `0..<count` covering it in order; `size(i)` is the argument bytes
    /// item `i` adds. An item larger than `maxBytes` alone is a batch of its own.
    public static func ranges(_ count: Int, size: (Int) -> Int) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var start = 0
        var bytes = 0
        for index in 0..<count {
            let added = size(index) + 1
            if index > start, index - start >= maxCount || bytes + added > maxBytes {
                result.append(start..<index)
                start = index
                bytes = 0
            }
            bytes += added
        }
        if start < count { result.append(start..<count) }
        return result
    }

    /// Batches of `paths`, by their UTF-8 length plus `extra` bytes each (a prefix, a field).
    public static func ranges(_ paths: [String], extra: Int = 0) -> [Range<Int>] {
        ranges(paths.count) { paths[$0].utf8.count + extra }
    }
}
