/// Deployment ids: `d-` and nine characters of `[A-Z0-9]` (design.md vocabulary).
public enum DeploymentID {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

    /// A new id from `generator` (injected so tests and goldens are stable).
    public static func make<G: RandomNumberGenerator>(using generator: inout G) -> String {
        make(prefix: "d-", using: &generator)
    }

    static func make<G: RandomNumberGenerator>(prefix: String, using generator: inout G) -> String {
        prefix + String((0..<9).map { _ in alphabet.randomElement(using: &generator)! })
    }

    /// A new id from the system's generator.
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return make(using: &generator)
    }
}

/// Pipeline execution ids: `e-` and nine characters of `[A-Z0-9]` (design.md vocabulary).
public enum ExecutionID {
    /// A new id from `generator`.
    public static func make<G: RandomNumberGenerator>(using generator: inout G) -> String {
        DeploymentID.make(prefix: "e-", using: &generator)
    }

    /// A new id from the system's generator.
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return make(using: &generator)
    }
}
