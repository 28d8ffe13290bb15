/// A permission mode from an AppSpec: 1–4 octal digits read from the raw scalar text.
///
/// The raw text is used on purpose (spec 1.2/1.8): `mode: 0644` means 0644, never the
/// decimal 420 that a YAML 1.1 integer reading would give.
public struct FileMode: Sendable, Hashable, CustomStringConvertible {
    /// The permission bits, 0 through 0o7777.
    public var bits: UInt16

    /// Creates a mode from its bits (masked to 0o7777).
    public init(bits: UInt16) {
        self.bits = bits & 0o7777
    }

    /// Why a mode text was refused.
    public enum Problem: Sendable, Equatable {
        case empty
        case tooLong(Int)
        case invalidCharacter(Character)
    }

    /// Parses mode text such as `644`, `0755` or `4755`.
    public static func parse(_ text: String) -> Result<FileMode, ProblemBox> {
        guard !text.isEmpty else { return .failure(ProblemBox(.empty)) }
        if let bad = text.first(where: { !("0"..."7").contains($0) }) {
            return .failure(ProblemBox(.invalidCharacter(bad)))
        }
        guard text.count <= 4 else { return .failure(ProblemBox(.tooLong(text.count))) }
        return .success(FileMode(bits: UInt16(text, radix: 8)!))
    }

    /// The mode as four octal digits, e.g. `0644`, as `chmod` takes it.
    public var description: String {
        let digits = String(bits, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// A `Problem` wrapped so it can be the failure of a `Result`.
    public struct ProblemBox: Error, Sendable, Equatable {
        public var problem: Problem
        /// Wraps a problem.
        public init(_ problem: Problem) { self.problem = problem }
    }
}
