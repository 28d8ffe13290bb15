import Foundation

/// What one deployment did on one host, left on the host as
/// `<deployment_root>/receipts/<deployment-id>.json` and carried back across an air gap
/// (`tarmac receipts import`). Signed, when the host can, by the host's own ed25519 host key
/// (SSHSIG, namespace `tarmac-receipt`, in `<deployment-id>.json.sig` beside it).
public struct Receipt: Codable, Sendable, Equatable {
    /// The SSHSIG namespace of a receipt's signature.
    public static let namespace = "tarmac-receipt"
    public static let currentVersion = 1

    /// The host that wrote the receipt.
    public struct Host: Codable, Sendable, Equatable {
        public var name: String
        public var machineID: String?
        /// `SHA256:…` of the host's ed25519 host key, when it has one.
        public var hostKey: String?

        public init(name: String, machineID: String?, hostKey: String?) {
            self.name = name
            self.machineID = machineID
            self.hostKey = hostKey
        }

        enum CodingKeys: String, CodingKey {
            case name
            case machineID = "machine_id"
            case hostKey = "host_key"
        }
    }

    /// One lifecycle event as it ran.
    public struct Event: Codable, Sendable, Equatable {
        public var name: String
        public var status: String
        public var startedAt: String?
        public var finishedAt: String?
        public var exitCode: Int32?
        public var message: String?

        public init(
            name: String, status: String, startedAt: String?, finishedAt: String?, exitCode: Int32?, message: String?
        ) {
            self.name = name
            self.status = status
            self.startedAt = startedAt
            self.finishedAt = finishedAt
            self.exitCode = exitCode
            self.message = message
        }

        enum CodingKeys: String, CodingKey {
            case name, status, message
            case startedAt = "started_at"
            case finishedAt = "finished_at"
            case exitCode = "exit_code"
        }
    }

    /// Destinations Install wrote: new ones, ones that existed and were written again, and
    /// the previous install's paths it removed.
    public struct Files: Codable, Sendable, Equatable {
        public var added: [String]
        public var changed: [String]
        public var removed: [String]

        public init(added: [String] = [], changed: [String] = [], removed: [String] = []) {
            self.added = added
            self.changed = changed
            self.removed = removed
        }
    }

    /// Whether the host signed the receipt, and if not, why.
    public struct Signing: Codable, Sendable, Equatable {
        public var signed: Bool
        public var reason: String?

        public init(signed: Bool, reason: String?) {
            self.signed = signed
            self.reason = reason
        }
    }

    public var receiptVersion = Receipt.currentVersion
    public var application: String
    public var group: String
    public var deploymentID: String
    public var revision: String?
    public var bundleSHA256: String
    public var previousRevision: String?
    public var previousDeploymentID: String?
    public var host: Host
    /// `apply` (by hand on the host) or `ssh` (a deployment from a build box).
    public var runner: String
    public var events: [Event]
    public var files: Files
    /// The contract's status word: Succeeded, Failed, Stopped.
    public var result: String
    public var downgrade: Bool
    /// The newer revision the host had accepted, when this was a downgrade.
    public var downgradeFrom: String?
    public var startedAt: String
    public var finishedAt: String
    public var signing: Signing

    public init(
        application: String, group: String, deploymentID: String, revision: String?, bundleSHA256: String,
        previousRevision: String?, previousDeploymentID: String?, host: Host, runner: String, events: [Event],
        files: Files, result: String, downgradeFrom: String?, startedAt: String, finishedAt: String, signing: Signing
    ) {
        self.application = application
        self.group = group
        self.deploymentID = deploymentID
        self.revision = revision
        self.bundleSHA256 = bundleSHA256
        self.previousRevision = previousRevision
        self.previousDeploymentID = previousDeploymentID
        self.host = host
        self.runner = runner
        self.events = events
        self.files = files
        self.result = result
        self.downgrade = downgradeFrom != nil
        self.downgradeFrom = downgradeFrom
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.signing = signing
    }

    enum CodingKeys: String, CodingKey {
        case receiptVersion = "receipt_version"
        case application, group, revision, host, runner, events, files, result, downgrade, signing
        case deploymentID = "deployment_id"
        case bundleSHA256 = "bundle_sha256"
        case previousRevision = "previous_revision"
        case previousDeploymentID = "previous_deployment_id"
        case downgradeFrom = "downgrade_from"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
    }

    /// The receipt's bytes as written on the host: sorted keys, one object, a final newline.
    public func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self) + "\n"
    }

    /// Parses a receipt; `source` names the file in the error.
    public static func parse(_ data: Data, source: String) throws -> Receipt {
        do {
            return try JSONDecoder().decode(Receipt.self, from: data)
        } catch let error as DecodingError {
            throw ReceiptError("\(source):1:1: error: not a tarmac receipt: \(Self.describe(error))")
        }
    }

    /// ISO 8601 with milliseconds, UTC.
    public static func time(_ date: Date) -> String {
        date.formatted(
            Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!))
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): "the key '\(key.stringValue)' is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            (context.codingPath.map(\.stringValue).joined(separator: ".").isEmpty
                ? "" : context.codingPath.map(\.stringValue).joined(separator: ".") + ": ") + context.debugDescription
        @unknown default: "\(error)"
        }
    }
}

/// A receipt that cannot be used, with a message that says why.
public struct ReceiptError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
