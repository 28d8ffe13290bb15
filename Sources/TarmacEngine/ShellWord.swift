/// One word of a POSIX `sh` command, quoted when it is made — never pasted.
///
/// `literal` words are trusted syntax written in tarmac's own source (`if`, `2>/dev/null`,
/// `"$status"`); every value that comes from a bundle, an AppSpec, a host or a user is a
/// `quoted` word, rendered in single quotes with `'` as `'\''`. A file name with a space, a
/// quote, `$(…)`, a newline or non-ASCII bytes therefore reaches the shell as one inert word.
public struct ShellWord: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rendered: String

    /// A value: always single-quoted, whatever it holds.
    public static func quoted(_ value: String) -> ShellWord {
        let quote = UInt8(ascii: "'")
        var value = value
        // Most words hold no quote: one scan of contiguous bytes, then the word as it is.
        guard let first = value.withUTF8({ $0.firstIndex(of: quote) }) else {
            return ShellWord(rendered: "'" + value + "'")
        }
        return value.withUTF8 { bytes in
            var next = first
            // Run by run between quotes (a record's text holds thousands of them).
            var rendered: [UInt8] = [quote]
            rendered.reserveCapacity(bytes.count + 64)
            var start = 0
            while true {
                rendered.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<next]))
                // ' becomes '\'' : close, an escaped quote, reopen.
                rendered.append(contentsOf: [quote, UInt8(ascii: "\\"), quote, quote])
                start = next + 1
                guard let found = bytes[start...].firstIndex(of: quote) else { break }
                next = found
            }
            rendered.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
            rendered.append(quote)
            return ShellWord(rendered: String(decoding: rendered, as: UTF8.self))
        }
    }

    /// Shell syntax from tarmac's own source; never pass data here.
    public static func literal(_ syntax: StaticString) -> ShellWord {
        ShellWord(rendered: "\(syntax)")
    }

    /// A variable assignment `NAME='value'`: the name is tarmac's own syntax, the value quoted.
    public static func assignment(_ name: StaticString, _ value: String) -> ShellWord {
        ShellWord(rendered: "\(name)=" + quoted(value).rendered)
    }

    /// A whole number (exit codes, modes, timeouts): safe unquoted.
    public static func number<T: BinaryInteger>(_ value: T) -> ShellWord {
        ShellWord(rendered: String(value))
    }

    /// An octal mode such as 0755.
    public static func octal(_ value: UInt32) -> ShellWord {
        let digits = String(value & 0o7777, radix: 8)
        return ShellWord(rendered: String(repeating: "0", count: max(0, 4 - digits.count)) + digits)
    }

    /// String literals in source are syntax, like `literal`.
    public init(stringLiteral value: StaticString) {
        self.rendered = "\(value)"
    }

    private init(rendered: String) {
        self.rendered = rendered
    }

    public var description: String { rendered }
}

/// A command line: words joined by single spaces.
public struct ShellCommand: Sendable, Hashable, CustomStringConvertible, ExpressibleByArrayLiteral {
    public var words: [ShellWord]

    public init(_ words: [ShellWord]) {
        self.words = words
    }

    public init(arrayLiteral elements: ShellWord...) {
        self.words = elements
    }

    public var description: String { words.map(\.rendered).joined(separator: " ") }
}

/// A POSIX `sh` program built line by line from commands; rendering is deterministic,
/// so programs can be compared with golden files.
public struct ShellScript: Sendable, Hashable, CustomStringConvertible {
    public private(set) var lines: [String] = []
    private var depth = 0
    /// A name shared by this program and the ones like it on later deployments (the probe,
    /// Install, the receipt of one group): an SSH transport keeps the last text of each name
    /// on both sides and sends the next one as the words that changed. Nil for programs unlike
    /// the last one (the lock, hooks). Letters, digits, `.`, `_` and `-` only.
    public var reuseName: String?

    public init() {}

    /// Appends one command at the current indentation.
    public mutating func run(_ command: ShellCommand) {
        lines.append(String(repeating: "  ", count: depth) + command.description)
    }

    /// Appends one command given as words.
    public mutating func run(_ words: ShellWord...) {
        run(ShellCommand(words))
    }

    /// A comment line for people reading the program (golden files, `--dry-run`).
    public mutating func comment(_ text: String) {
        let safe = text.replacing("\n", with: " ")
        lines.append(String(repeating: "  ", count: depth) + "# " + safe)
    }

    /// `if <condition>; then … fi` around what `body` appends.
    public mutating func ifThen(_ condition: ShellCommand, _ body: (inout ShellScript) -> Void) {
        run(ShellCommand(["if"] + condition.words + [";", "then"]))
        depth += 1
        body(&self)
        depth -= 1
        lines.append(String(repeating: "  ", count: depth) + "fi")
    }

    /// `if CONDITION; then BODY; else OTHERWISE; fi`.
    public mutating func ifThen(
        _ condition: ShellCommand, _ body: (inout ShellScript) -> Void, else otherwise: (inout ShellScript) -> Void
    ) {
        run(ShellCommand(["if"] + condition.words + [";", "then"]))
        depth += 1
        body(&self)
        depth -= 1
        lines.append(String(repeating: "  ", count: depth) + "else")
        depth += 1
        otherwise(&self)
        depth -= 1
        lines.append(String(repeating: "  ", count: depth) + "fi")
    }

    /// Appends another script's lines at the current indentation.
    public mutating func append(_ other: ShellScript) {
        for line in other.lines { lines.append(String(repeating: "  ", count: depth) + line) }
    }

    /// The program text, ending in a newline.
    public var description: String { lines.joined(separator: "\n") + "\n" }
}
