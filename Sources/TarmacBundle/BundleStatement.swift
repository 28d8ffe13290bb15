import Foundation

/// A signer's statement about one bundle, kept beside it as `<bundle>.statement` and signed as
/// `<bundle>.statement.sig` (SSHSIG, namespace `tarmac`, over the statement's exact bytes).
///
/// What changes from one signature to the next (when it was signed, until when a host may
/// install it) lives here, never in the bundle, so the bundle's bytes stay the same for the
/// same commit. The statement names the bundle by its SHA-256, so it vouches for those bytes
/// exactly, and anyone can check it with `ssh-keygen -Y verify -n tarmac`.
///
///     tarmac-statement 1
///     bundle-sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
///     application docs-site
///     commit 3f2c1e…
///     sequence 1765012345
///     signed-at 2026-12-06T16:54:28Z
///     expires 2027-01-05T16:54:28Z
public struct BundleStatement: Sendable, Equatable {
    public static let header = "tarmac-statement 1"
    /// What `<bundle>` gets appended for the statement and its signature.
    public static let suffix = ".statement"
    public static let signatureSuffix = ".statement.sig"

    public var bundleSHA256: String
    public var application: String
    public var commit: String
    /// The bundle's anti-rollback sequence: its commit's committer time (`commit_time`).
    public var sequence: Int64
    public var signedAt: Date
    /// After this instant hosts refuse the bundle.
    public var expires: Date

    public init(
        bundleSHA256: String, application: String, commit: String, sequence: Int64, signedAt: Date, expires: Date
    ) {
        self.bundleSHA256 = bundleSHA256
        self.application = application
        self.commit = commit
        self.sequence = sequence
        self.signedAt = signedAt
        self.expires = expires
    }

    /// The statement's text, one `key value` a line, ending with a newline.
    public var text: String {
        [
            Self.header, "bundle-sha256 \(bundleSHA256)", "application \(application)", "commit \(commit)",
            "sequence \(sequence)", "signed-at \(Self.format(signedAt))", "expires \(Self.format(expires))",
        ].joined(separator: "\n") + "\n"
    }

    /// Parses a statement; every problem is `source:line:col: error: …`.
    public static func parse(_ text: String, source: String) throws -> BundleStatement {
        var values: [String: (String, Int)] = [:]
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first == Substring(header) else {
            throw BundleError.invalidInput(
                "\(source):1:1: error: not a tarmac statement: the first line must be `\(header)`")
        }
        for (index, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            guard let space = line.firstIndex(of: " ") else {
                throw BundleError.invalidInput("\(source):\(index + 1):1: error: expected `key value`")
            }
            let key = String(line[..<space])
            guard keys.contains(key) else {
                throw BundleError.invalidInput(
                    "\(source):\(index + 1):1: error: unknown key '\(key)'; a statement has \(keys.joined(separator: ", "))"
                )
            }
            guard values[key] == nil else {
                throw BundleError.invalidInput("\(source):\(index + 1):1: error: '\(key)' appears twice")
            }
            values[key] = (String(line[line.index(after: space)...]), index + 1)
        }
        func value(_ key: String) throws -> (String, Int) {
            guard let found = values[key] else {
                throw BundleError.invalidInput("\(source):\(lines.count):1: error: the statement has no '\(key)'")
            }
            return found
        }
        func number(_ key: String) throws -> Int64 {
            let (text, line) = try value(key)
            guard let number = Int64(text) else {
                throw BundleError.invalidInput(
                    "\(source):\(line):\(key.count + 2): error: '\(key)' must be a whole number, not '\(text)'")
            }
            return number
        }
        func date(_ key: String) throws -> Date {
            let (text, line) = try value(key)
            guard let date = try? Date(text, strategy: .iso8601) else {
                throw BundleError.invalidInput(
                    "\(source):\(line):\(key.count + 2): error: '\(key)' must be a UTC time like 2027-01-05T16:54:28Z, not '\(text)'"
                )
            }
            return date
        }
        return BundleStatement(
            bundleSHA256: try value("bundle-sha256").0, application: try value("application").0,
            commit: try value("commit").0, sequence: try number("sequence"), signedAt: try date("signed-at"),
            expires: try date("expires"))
    }

    private static let keys = ["bundle-sha256", "application", "commit", "sequence", "signed-at", "expires"]

    /// `2027-01-05T16:54:28Z`.
    public static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!))
    }
}

/// A validity period given on the command line: `30d`, `12h`, `90m`, `2w`.
public enum ValidityPeriod {
    /// Seconds for the text, or nil when it is not a positive number with a unit.
    public static func seconds(_ text: String) -> TimeInterval? {
        guard let unit = text.last, let number = Int(text.dropLast()), number > 0 else { return nil }
        let scale: [Character: TimeInterval] = ["m": 60, "h": 3600, "d": 86_400, "w": 604_800]
        return scale[unit].map { TimeInterval(number) * $0 }
    }
}
