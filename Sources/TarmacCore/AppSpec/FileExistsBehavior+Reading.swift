/// Reads a `file_exists_behavior` value (shared by the AppSpec and tarmac.yml).
extension YAMLReader {
    mutating func fileExistsBehavior(_ node: YAMLNode, _ path: String) -> FileExistsBehavior? {
        guard !node.isNull, let text = string(node, path) else { return nil }
        if let value = FileExistsBehavior(rawValue: text) { return value }
        let allowed = Quote.plainList(FileExistsBehavior.allCases.map(\.rawValue))
        if let value = FileExistsBehavior(rawValue: text.uppercased()) {
            error("\(path) \(Quote.text(text)) must be upper case: \(value.rawValue)", at: node)
        } else {
            error("\(path) \(Quote.text(text)) is not valid; use one of \(allowed)", at: node)
        }
        return nil
    }
}
