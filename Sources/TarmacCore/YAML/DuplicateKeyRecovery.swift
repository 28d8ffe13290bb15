/// Lets parsing continue past duplicate mapping keys, which Yams refuses outright.
///
/// Yams throws at the first duplicate and names the key and the mark of its first
/// occurrence. We overwrite that occurrence, in place and with the same number of
/// characters (so every other line:column stays true), with a private-use placeholder,
/// parse again, and map the placeholder back to the key afterwards. The located tree then
/// holds both pairs and `NodeConverter` reports the duplicate itself, with both positions.
struct DuplicateKeyRecovery: Sendable {
    private(set) var text: String
    /// Placeholder text → the key it stands for.
    private(set) var originals: [String: String] = [:]
    private static let base: UInt32 = 0xE000
    private static let limit = 6400

    init(text: String) {
        self.text = text
    }

    /// Replaces the key written at `line`:`column`; false when that is not possible.
    mutating func neutralize(key: String, line: Int, column: Int) -> Bool {
        guard !key.isEmpty, originals.count < Self.limit else { return false }
        var scalars = Array(text.unicodeScalars)
        guard let start = Self.offset(line: line, column: column, in: scalars) else { return false }
        let keyScalars = Array(key.unicodeScalars)
        var begin = start
        if scalars[start] == "\"" || scalars[start] == "'" { begin += 1 }
        guard begin + keyScalars.count <= scalars.count,
            Array(scalars[begin..<begin + keyScalars.count]) == keyScalars
        else { return false }
        let placeholder = makePlaceholder(length: keyScalars.count)
        scalars.replaceSubrange(begin..<begin + keyScalars.count, with: placeholder.unicodeScalars)
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        text = String(view)
        originals[placeholder] = key
        return true
    }

    /// The key a scalar's text stands for (the text itself unless it is a placeholder).
    func original(_ text: String) -> String {
        originals[text] ?? text
    }

    private func makePlaceholder(length: Int) -> String {
        var view = String.UnicodeScalarView()
        view.append(Unicode.Scalar(Self.base + UInt32(originals.count))!)
        for _ in 1..<max(length, 1) { view.append(Unicode.Scalar(Self.base)!) }
        return String(view)
    }

    private static func offset(line: Int, column: Int, in scalars: [Unicode.Scalar]) -> Int? {
        var currentLine = 1
        var index = 0
        while currentLine < line {
            guard let newline = scalars[index...].firstIndex(of: "\n") else { return nil }
            index = newline + 1
            currentLine += 1
        }
        let target = index + column - 1
        return target < scalars.count ? target : nil
    }
}
