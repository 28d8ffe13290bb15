import Yams

/// Parses YAML text into located nodes and turns every YAML problem into a diagnostic.
///
/// Handles what editors leave behind (a UTF-8 byte-order mark, CRLF line ends) with a
/// warning, reports duplicate keys as errors without stopping, and caps alias expansion.
public struct YAMLDocument: Sendable {
    /// The root node, or nil when the text is empty or could not be parsed.
    public var root: YAMLNode?
    /// True when the text holds no document: empty, whitespace, comments or a bare `---`.
    public var isEmpty: Bool
    /// Warnings and errors found while reading the YAML itself.
    public var diagnostics: [Diagnostic]

    /// The most nodes one document may expand to (aliases included), against alias bombs.
    public static let maximumNodeCount = 200_000

    /// Parses `text`; `file` is the path string used in every diagnostic location.
    public static func parse(_ text: String, file: String) -> YAMLDocument {
        var diagnostics: [Diagnostic] = []
        let clean = normalizeLineEnds(text, file: file, into: &diagnostics)
        if isBlank(clean) { return YAMLDocument(root: nil, isEmpty: true, diagnostics: diagnostics) }
        var recovery = DuplicateKeyRecovery(text: clean)
        let composed = compose(&recovery, file: file, into: &diagnostics)
        guard let node = composed else {
            let empty = !diagnostics.hasErrors
            return YAMLDocument(root: nil, isEmpty: empty, diagnostics: diagnostics)
        }
        var converter = NodeConverter(file: file, recovery: recovery)
        guard let root = converter.convert(node) else {
            diagnostics.append(
                .error(
                    "the YAML expands to more than \(maximumNodeCount) nodes (aliases included); "
                        + "write the document out without deeply nested aliases",
                    at: SourceLocation(file: file, line: 1, column: 1)))
            return YAMLDocument(root: nil, isEmpty: false, diagnostics: diagnostics)
        }
        diagnostics += converter.duplicateKeyErrors
        return YAMLDocument(root: root, isEmpty: root.isNull, diagnostics: diagnostics)
    }

    /// Strips a byte-order mark and turns CRLF into LF, warning about each (line numbers keep).
    static func normalizeLineEnds(_ text: String, file: String, into diagnostics: inout [Diagnostic]) -> String {
        var clean = text
        if clean.unicodeScalars.first == "\u{FEFF}" {
            clean.unicodeScalars.removeFirst()
            diagnostics.append(
                .warning(
                    "the file starts with a UTF-8 byte-order mark; it is ignored, but save the file as UTF-8 without BOM",
                    at: SourceLocation(file: file, line: 1, column: 1)))
        }
        guard clean.unicodeScalars.contains("\r") else { return clean }
        var line = 1, column = 1, first: SourceLocation?
        var scalars = String.UnicodeScalarView()
        let source = Array(clean.unicodeScalars)
        for (index, scalar) in source.enumerated() {
            if scalar == "\r" {
                first = first ?? SourceLocation(file: file, line: line, column: column)
                if index + 1 < source.count, source[index + 1] == "\n" { continue }
                scalars.append("\n")
            } else {
                scalars.append(scalar)
            }
            if scalar == "\n" || scalar == "\r" { line += 1; column = 1 } else { column += 1 }
        }
        diagnostics.append(
            .warning(
                "the file has Windows (CRLF) line ends; they are read as LF, but convert the file to LF line ends",
                at: first))
        return String(scalars)
    }

    /// True when every line is blank (spaces or tabs) or a comment; tabs would upset the scanner.
    static func isBlank(_ text: String) -> Bool {
        text.split(whereSeparator: \.isNewline).allSatisfy { line in
            let body = line.drop { $0 == " " || $0 == "\t" }
            return body.isEmpty || body.hasPrefix("#")
        }
    }

    /// Runs Yams' composer, retrying around duplicate keys so that parsing can go on.
    private static func compose(
        _ recovery: inout DuplicateKeyRecovery, file: String, into diagnostics: inout [Diagnostic]
    ) -> Node? {
        while true {
            do {
                return try Yams.compose(yaml: recovery.text)
            } catch YamlError.duplicatedKeysInMapping(let keys, let context) {
                if recovery.neutralize(key: keys.first ?? "", line: context.mark.line, column: context.mark.column) {
                    continue
                }
                let where_ = SourceLocation(file: file, line: context.mark.line, column: context.mark.column)
                diagnostics.append(
                    .error(
                        "duplicate key \(Quote.text(keys.first ?? "")) in this mapping; keep only one of them",
                        at: where_))
                return nil
            } catch {
                diagnostics.append(syntaxError(error, file: file))
                return nil
            }
        }
    }

    /// A Yams error as one diagnostic at its line and column.
    static func syntaxError(_ error: Error, file: String) -> Diagnostic {
        func located(_ problem: String, _ context: YamlError.Context?, _ mark: Mark) -> Diagnostic {
            var message = "invalid YAML: \(problem)"
            if let context {
                message += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
            }
            message += "; check the indentation, quoting and colons here"
            return .error(message, at: SourceLocation(file: file, line: mark.line, column: mark.column))
        }
        switch error {
        case YamlError.scanner(let context, let problem, let mark, _),
            YamlError.parser(let context, let problem, let mark, _),
            YamlError.composer(let context, let problem, let mark, _):
            return located(problem, context, mark)
        case YamlError.reader(let problem, let offset, _, let yaml):
            let (line, column) = lineAndColumn(ofUTF8Offset: offset ?? 0, in: yaml)
            return .error(
                "the file cannot be read as YAML text: \(problem); remove control characters and save it as UTF-8",
                at: SourceLocation(file: file, line: line, column: column))
        default:
            return .error("invalid YAML: \(error)", at: SourceLocation(file: file, line: 0, column: 0))
        }
    }

    /// 1-based line and column (in Unicode scalars) of a UTF-8 byte offset.
    static func lineAndColumn(ofUTF8Offset offset: Int, in text: String) -> (Int, Int) {
        var line = 1, column = 1, consumed = 0
        for scalar in text.unicodeScalars {
            if consumed >= offset { break }
            consumed += String(scalar).utf8.count
            if scalar == "\n" { line += 1; column = 1 } else { column += 1 }
        }
        return (line, column)
    }
}
