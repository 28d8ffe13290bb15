// swift-tools-version: 6.2
// tarmac — offline continuous delivery in one binary.
//
// The module graph is the architecture: C stays in its wrappers, the pure core does
// no I/O, effects sit behind small types, and the executable is a one-line entry point.
// Dependencies point one way: tarmac → TarmacCLI → TarmacPipeline → TarmacDeploy →
// (TarmacBundle, TarmacHost, TarmacEngine) → TarmacCore, and TarmacHistory → TarmacCore.
// The CLI is the only module that prints or exits, and it chooses the transports (TarmacSSH)
// and the store (TarmacHistory) the libraries below it are given.
import PackageDescription

let package = Package(
    name: "tarmac",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tarmac", targets: ["tarmac"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", exact: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // C libraries, imported only by their wrappers.
        .systemLibrary(
            name: "CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev", "libdeflate-dev"])]),
        .systemLibrary(name: "CSSH2", pkgConfig: "libssh2", providers: [.apt(["libssh2-1-dev"])]),

        // Thin wrapper owning libarchive handles: deterministic writer, restricted reader.
        .target(name: "TarmacArchive", dependencies: ["CArchive"], exclude: ["README.md"]),

        // Pure core (no I/O): diagnostics, located YAML, AppSpec and tarmac.yml models and
        // validators, bundle manifest, archive-entry safety rules, the rollout and queue rules, and
        // the values a deployment's journal keeps (shared by TarmacDeploy and TarmacHistory).
        .target(name: "TarmacCore", dependencies: [.product(name: "Yams", package: "Yams")], exclude: ["README.md"]),

        // Pure host engine: host facts, the install planner, and the renderer that turns plans
        // and hook runs into POSIX sh programs (every word quoted by construction).
        .target(name: "TarmacEngine", dependencies: ["TarmacCore"], exclude: ["README.md"]),

        // Effects: the HostTransport seam and its local implementation (SSH joins it later).
        .target(
            name: "TarmacHost",
            dependencies: [
                "TarmacEngine",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            exclude: ["README.md"]),

        // Effects: the SSH transport on libssh2 (the only importer of CSSH2), known_hosts and ssh config.
        .target(
            name: "TarmacSSH",
            dependencies: [
                "CSSH2", "TarmacHost", "TarmacEngine", .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["README.md"]),

        // Orchestration: a group deployment from its setup (bundle → request → start check, with
        // the hosts' health read from a DeploymentJournal it declares) to its outcome, rollbacks,
        // and one host's deployment over a HostTransport. Never prints: events and outcomes out.
        .target(
            name: "TarmacDeploy",
            dependencies: ["TarmacCore", "TarmacEngine", "TarmacHost", "TarmacBundle", "TarmacArchive"],
            exclude: ["README.md"]),

        // OpenSSH keys and SSHSIG detached signatures (ed25519) on swift-crypto.
        .target(
            name: "TarmacSigning", dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            exclude: ["README.md"]),

        // Effects: the git CLI as the revision reader.
        .target(
            name: "TarmacGit",
            dependencies: [
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            exclude: ["README.md"]),

        // Effects: building, reading and verifying revision bundles.
        .target(
            name: "TarmacBundle",
            dependencies: [
                "TarmacCore", "TarmacArchive", "TarmacGit", "TarmacSigning",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["README.md"]),

        // Pipeline executions: the source, build and deploy stages and approvals, run from where
        // an execution stands (`PipelineRunner`), reporting events, never printing. It depends on
        // TarmacHistory because the execution queue's transitions (queue, take a turn, pause,
        // approve, supersede) are the history's SQLite transactions: the queue is the store.
        .target(
            name: "TarmacPipeline",
            dependencies: [
                "TarmacCore", "TarmacGit", "TarmacHost", "TarmacBundle", "TarmacDeploy", "TarmacHistory",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            exclude: ["README.md"]),

        // Effects: the deployment history in `.tarmac/state.db` (SQLite through GRDB) and its JSON views.
        // Depends on TarmacCore only: it is the journal TarmacDeploy declares (`DeploymentJournal`),
        // joined to it by the CLI, and the store of the pipeline's execution queue.
        .target(
            name: "TarmacHistory",
            dependencies: ["TarmacCore", .product(name: "GRDB", package: "GRDB.swift")],
            exclude: ["README.md"]),

        // Command line: argument-parser commands, each a few lines over the libraries; renders
        // their events and maps their outcomes to exit statuses.
        .target(
            name: "TarmacCLI",
            dependencies: [
                "TarmacCore", "TarmacArchive", "TarmacBundle", "TarmacSigning", "TarmacGit", "TarmacEngine",
                "TarmacHost",
                "TarmacDeploy", "TarmacSSH", "TarmacHistory", "TarmacPipeline",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["README.md"]),

        // The executable: a one-line entry point.
        .executableTarget(name: "tarmac", dependencies: ["TarmacCLI"]),

        // Test helpers: real git repositories made at test time, the built binary, commands.
        .target(name: "TarmacTestSupport", path: "Tests/TarmacTestSupport"),

        .testTarget(name: "TarmacCoreTests", dependencies: ["TarmacCore", "TarmacTestSupport"]),
        .testTarget(name: "TarmacEngineTests", dependencies: ["TarmacEngine", "TarmacCore", "TarmacTestSupport"]),
        .testTarget(
            name: "TarmacDeployTests", dependencies: ["TarmacDeploy", "TarmacHost", "TarmacEngine", "TarmacCore"]),
        .testTarget(name: "TarmacArchiveTests", dependencies: ["TarmacArchive"]),
        .testTarget(name: "TarmacSigningTests", dependencies: ["TarmacSigning"]),
        .testTarget(
            name: "TarmacBundleTests",
            dependencies: [
                "TarmacBundle", "TarmacCore", "TarmacArchive", "TarmacGit", "TarmacSigning", "TarmacTestSupport",
            ]),
        .testTarget(
            name: "TarmacPipelineTests",
            dependencies: [
                "TarmacPipeline", "TarmacBundle", "TarmacCore", "TarmacArchive", "TarmacGit", "TarmacDeploy",
                "TarmacHistory", "TarmacTestSupport",
            ]),
        .testTarget(
            name: "TarmacSSHTests", dependencies: ["TarmacSSH", "TarmacHost", "TarmacEngine", "TarmacTestSupport"]),
        .testTarget(
            name: "TarmacHistoryTests",
            dependencies: ["TarmacHistory", "TarmacDeploy", "TarmacCore", "TarmacTestSupport"]),
        .testTarget(
            name: "TarmacCLITests",
            dependencies: [
                "TarmacCore", "TarmacHistory", "TarmacDeploy", "TarmacEngine", "TarmacHost", "TarmacTestSupport",
                // Only to hold a write lock on a history database from outside tarmac.
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)
