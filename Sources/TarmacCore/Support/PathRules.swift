/// Lexical rules for the paths an AppSpec or tarmac.yml names.
enum PathRules {
    /// True when a `/`-separated path has a `..` component.
    static func hasParentReference(_ path: String) -> Bool {
        path.split(separator: "/", omittingEmptySubsequences: true).contains("..")
    }

    /// `"/opt//app/./x/"` → `"/opt/app/x"`; `"/"` stays `"/"`.
    static func normalizeAbsolute(_ path: String) -> String {
        "/" + RevisionTree.normalize(path)
    }

    /// The last path component (`"config/app.conf"` → `"app.conf"`), empty for the root.
    static func lastComponent(_ path: String) -> String {
        RevisionTree.normalize(path).split(separator: "/").last.map(String.init) ?? ""
    }

    /// True when the text holds a NUL or another control character no path should have.
    static func hasControlCharacter(_ path: String) -> Bool {
        path.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }

    /// True for a name usable as an application, group or configuration name:
    /// 1–100 characters of letters, digits, `.`, `_`, `-`, starting with a letter or digit.
    static func isSafeName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 100 else { return false }
        let isAlnum: (Unicode.Scalar) -> Bool = {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))
        }
        return isAlnum(first) && name.unicodeScalars.allSatisfy { isAlnum($0) || "._-".unicodeScalars.contains($0) }
    }
}
