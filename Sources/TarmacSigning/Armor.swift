import Foundation

/// PEM-style armor: `-----BEGIN LABEL-----`, base64 lines, `-----END LABEL-----`.
enum Armor {
    /// Why a piece of text is not the armored block that was expected.
    enum Problem: Error, Equatable {
        case missingBegin
        case missingEnd
        case badBase64
        case empty
    }

    /// Wraps bytes in armor, breaking base64 at `lineWidth` columns as ssh-keygen does (70).
    static func encode(_ bytes: [UInt8], label: String, lineWidth: Int = 70) -> String {
        let base64 = Data(bytes).base64EncodedString()
        var lines = ["-----BEGIN \(label)-----"]
        var index = base64.startIndex
        while index < base64.endIndex {
            let end = base64.index(index, offsetBy: lineWidth, limitedBy: base64.endIndex) ?? base64.endIndex
            lines.append(String(base64[index..<end]))
            index = end
        }
        lines.append("-----END \(label)-----")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The bytes inside the armor; the first non-blank line must be the BEGIN line.
    static func decode(_ text: String, label: String) throws(Problem) -> [UInt8] {
        let lines = text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        guard lines.first == "-----BEGIN \(label)-----" else { throw .missingBegin }
        guard let endIndex = lines.firstIndex(of: "-----END \(label)-----") else { throw .missingEnd }
        let body = lines[1..<endIndex].joined()
        guard !body.isEmpty else { throw .empty }
        guard let data = Data(base64Encoded: body) else { throw .badBase64 }
        return [UInt8](data)
    }

    /// The label of the first BEGIN line in the text, if any (`RSA PRIVATE KEY`, `OPENSSH PRIVATE KEY`).
    static func firstLabel(in text: String) -> String? {
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("-----BEGIN "), trimmed.hasSuffix("-----") else { continue }
            return String(trimmed.dropFirst("-----BEGIN ".count).dropLast("-----".count))
        }
        return nil
    }
}
