extension StringProtocol {
    /// Whether the text holds `character` (ASCII), by a scan of its UTF-8. With Foundation
    /// imported, `contains("x")` is NSString's search, far slower on the paths tarmac checks
    /// by the thousand.
    public func containsASCII(_ character: Unicode.Scalar) -> Bool {
        precondition(character.isASCII, "containsASCII looks for one ASCII character")
        return utf8.contains(UInt8(character.value))
    }
}
