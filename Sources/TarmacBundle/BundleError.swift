import TarmacCore

/// Why a bundle could not be built or trusted; `isInvalidInput` maps to exit status 2.
public enum BundleError: Error, Sendable, CustomStringConvertible {
    /// The revision or its files are invalid: every finding, nothing written.
    case invalidRevision([Diagnostic])
    /// The bundle is damaged, tampered with or hostile.
    case untrustworthy(String, problems: [String])
    /// Usage-level problems: an unknown revision, a missing key file, an unknown format.
    case invalidInput(String)
    /// Something failed while working (git, disk, libarchive).
    case failed(String)

    public var isInvalidInput: Bool {
        if case .failed = self { return false }
        return true
    }

    public var description: String {
        switch self {
        case .invalidRevision(let diagnostics):
            return diagnostics.filter { $0.severity == .error }.map(\.description).joined(separator: "\n")
        case .untrustworthy(let what, let problems):
            return
                ([what] + problems.prefix(50).map { "  " + $0 }
                + (problems.count > 50 ? ["  … and \(problems.count - 50) more"] : [])).joined(separator: "\n")
        case .invalidInput(let message), .failed(let message):
            return message
        }
    }
}
