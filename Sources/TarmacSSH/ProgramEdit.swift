/// A program's text as edits of an earlier text the host keeps: byte ranges copied from the
/// earlier text and pieces inserted. A deployment's programs differ from the last ones of the
/// same name in a few words (the deployment id, the changed files' digests and stats), so the
/// edit of a 900 KB Install program is a few KB.
///
/// The text is compared in words: pieces that end at a newline or a space, so that one changed
/// stat in a line of a thousand quoted paths costs that word, not the line. They are matched
/// with Myers' O(ND) difference, given up beyond `maxEdits` changed words: then the whole text
/// is cheaper to send anyway. Words are compared by hash; the host checks the rebuilt text's
/// SHA-256 before running it, so a collision costs a resend, never a wrong program.
struct ProgramEdit: Equatable, Sendable {
    enum Piece: Equatable, Sendable {
        /// `count` bytes of the earlier text from `offset`.
        case copy(offset: Int, count: Int)
        /// Bytes of the new text (whole words: never part of a UTF-8 sequence).
        case insert([UInt8])
    }

    var pieces: [Piece]

    /// The edit from `base` to `target`, or nil when more than `maxEdits` words differ. A copy
    /// of fewer than `minimumCopy` bytes goes as an insert instead: each copy costs the host a
    /// process (`head -c`, or `dd` after a skip), dearer than a few KB of compressed text.
    init?(from base: [UInt8], to target: [UInt8], maxEdits: Int = 512, minimumCopy: Int = 2048) {
        let old = Words(base)
        let new = Words(target)
        // A word of one text the other lacks is an edit of every script: past `maxEdits` of them,
        // give up before the O(ND) search does (after ND steps).
        guard Self.lacking(new.hashes, in: old.hashes, atMost: maxEdits),
            Self.lacking(old.hashes, in: new.hashes, atMost: maxEdits),
            let matches = Self.matches(old.hashes, new.hashes, maxEdits: maxEdits)
        else { return nil }
        var pieces: [Piece] = []
        for word in 0..<new.count {
            if let from = matches[word] {
                let range = old.ranges[from]
                if case .copy(let offset, let count)? = pieces.last, offset + count == range.lowerBound {
                    pieces[pieces.count - 1] = .copy(offset: offset, count: count + range.count)
                } else {
                    pieces.append(.copy(offset: range.lowerBound, count: range.count))
                }
            } else if case .insert(var bytes)? = pieces.last {
                pieces.removeLast()
                bytes += target[new.ranges[word]]
                pieces.append(.insert(bytes))
            } else {
                pieces.append(.insert(Array(target[new.ranges[word]])))
            }
        }
        self.pieces = Self.coalesced(pieces, base: base, minimumCopy: minimumCopy)
    }

    /// `pieces` with each copy shorter than `minimumCopy` turned into an insert of its bytes,
    /// and neighbouring inserts joined.
    static func coalesced(_ pieces: [Piece], base: [UInt8], minimumCopy: Int) -> [Piece] {
        var result: [Piece] = []
        for piece in pieces {
            var bytes: [UInt8]
            switch piece {
            case .copy(let offset, let count) where count < minimumCopy: bytes = Array(base[offset..<offset + count])
            case .copy: result.append(piece); continue
            case .insert(let inserted): bytes = inserted
            }
            if case .insert(let earlier)? = result.last {
                result[result.count - 1] = .insert(earlier + bytes)
            } else {
                result.append(.insert(bytes))
            }
        }
        return result
    }

    /// What the pieces put together from `base` (the host does the same with `head -c`).
    func apply(to base: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        for piece in pieces {
            switch piece {
            case .copy(let offset, let count): result += base[offset..<offset + count]
            case .insert(let bytes): result += bytes
            }
        }
        return result
    }

    /// The text split after each newline and space (a last word without one is a word too),
    /// with one hash per word.
    private struct Words {
        var ranges: [Range<Int>] = []
        var hashes: [Int] = []
        var count: Int { ranges.count }

        init(_ text: [UInt8]) {
            text.withUnsafeBytes { bytes in
                var start = 0
                for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") || byte == UInt8(ascii: " ") {
                    add(start..<index + 1, bytes)
                    start = index + 1
                }
                if start < bytes.count { add(start..<bytes.count, bytes) }
            }
        }

        private mutating func add(_ range: Range<Int>, _ bytes: UnsafeRawBufferPointer) {
            var hasher = Hasher()
            hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: bytes[range]))
            ranges.append(range)
            hashes.append(hasher.finalize())
        }
    }

    /// Whether at most `limit` of `words` are nowhere in `others`.
    static func lacking(_ words: [Int], in others: [Int], atMost limit: Int) -> Bool {
        let known = Set(others)
        var lacking = 0
        for word in words where !known.contains(word) {
            lacking += 1
            if lacking > limit { return false }
        }
        return true
    }

    /// For each word of `b`, the word of `a` it keeps (nil: inserted), from a shortest edit
    /// script; nil when that script is longer than `maxEdits`.
    static func matches(_ a: [Int], _ b: [Int], maxEdits: Int) -> [Int?]? {
        var result = [Int?](repeating: nil, count: b.count)
        // The common ends first: most of a program's words.
        var prefix = 0
        while prefix < a.count, prefix < b.count, a[prefix] == b[prefix] {
            result[prefix] = prefix
            prefix += 1
        }
        var suffix = 0
        while suffix < a.count - prefix, suffix < b.count - prefix, a[a.count - 1 - suffix] == b[b.count - 1 - suffix] {
            result[b.count - 1 - suffix] = a.count - 1 - suffix
            suffix += 1
        }
        let x0 = prefix
        let y0 = prefix
        let n = a.count - prefix - suffix
        let m = b.count - prefix - suffix
        guard n > 0, m > 0 else { return n + m <= maxEdits ? result : nil }
        let limit = min(n + m, maxEdits)
        let offset = limit + 1
        var v = [Int](repeating: 0, count: 2 * limit + 3)
        var trace: [[Int]] = []
        for d in 0...limit {
            trace.append(v)
            for k in stride(from: -d, through: d, by: 2) {
                var x =
                    (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]))
                    ? v[offset + k + 1] : v[offset + k - 1] + 1
                var y = x - k
                while x < n, y < m, a[x0 + x] == b[y0 + y] {
                    x += 1
                    y += 1
                }
                v[offset + k] = x
                if x >= n, y >= m {
                    backtrack(trace, d: d, n: n, m: m, offset: offset) { result[y0 + $1] = x0 + $0 }
                    return result
                }
            }
        }
        return nil
    }

    /// Walks the recorded rounds back from (n, m), reporting each kept pair (x, y).
    private static func backtrack(
        _ trace: [[Int]], d: Int, n: Int, m: Int, offset: Int, keep: (Int, Int) -> Void
    ) {
        var x = n
        var y = m
        for round in stride(from: d, through: 0, by: -1) {
            let v = trace[round]
            let k = x - y
            var startX = 0
            var startY = 0
            if round > 0 {
                let down = k == -round || (k != round && v[offset + k - 1] < v[offset + k + 1])
                let previousK = down ? k + 1 : k - 1
                let previousX = v[offset + previousK]
                let previousY = previousX - previousK
                // The move of this round ends at (previousX, previousY) + one step.
                startX = down ? previousX : previousX + 1
                startY = down ? previousY + 1 : previousY
                while x > startX, y > startY {
                    x -= 1
                    y -= 1
                    keep(x, y)
                }
                x = previousX
                y = previousY
            } else {
                while x > startX, y > startY {
                    x -= 1
                    y -= 1
                    keep(x, y)
                }
            }
        }
    }
}
