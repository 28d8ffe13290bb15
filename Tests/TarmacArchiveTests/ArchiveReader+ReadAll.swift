import TarmacArchive

extension ArchiveReader {
    /// The current entry's whole data, refusing entries larger than `maxBytes` (a test helper:
    /// tarmac itself always streams entry data).
    func readAllData(maxBytes: Int) throws -> [UInt8] {
        var bytes: [UInt8] = []
        try readData { block in
            guard bytes.count + block.count <= maxBytes else {
                throw ArchiveError(
                    archive: "test", operation: "read data", message: "entry is larger than \(maxBytes) bytes")
            }
            bytes.append(contentsOf: block)
        }
        return bytes
    }
}
