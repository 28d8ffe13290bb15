import ArgumentParser
import Foundation

/// `tarmac init`: commented `tarmac.yml` and `appspec.yml` skeletons for a repository.
struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a commented tarmac.yml and appspec.yml into this repository (never overwrites).",
        discussion: """
            Both files validate as written: edit the hosts and destinations, then run \
            `tarmac validate`, `tarmac hosts trust staging` and `tarmac deploy staging` — or \
            commit them and `tarmac run` the pipeline. A file that exists already is left alone \
            and named; nothing is written then (exit 2).

            Example:
              cd my-app && tarmac init && git add tarmac.yml appspec.yml
            """)

    @OptionGroup var repository: RepositoryOptions

    func run() async throws {
        let project = try await ProjectContext.load(repository)
        let root = project.repository.root
        let files = [
            ("tarmac.yml", Self.tarmacYAML(application: project.application)),
            ("appspec.yml", Self.appspecYAML(application: project.application)),
        ]
        let existing = files.map(\.0).filter { FileManager.default.fileExists(atPath: root + "/" + $0) }
        guard existing.isEmpty else {
            for name in existing { Console.say("error: \(root)/\(name) exists; tarmac init never overwrites it") }
            Console.say("nothing was written")
            throw ExitCode(Exit.invalidInput)
        }
        for (name, text) in files {
            try text.write(toFile: root + "/" + name, atomically: true, encoding: .utf8)
            Console.say("wrote \(root)/\(name)")
        }
        Console.say("next: edit the hosts and the destination, then `tarmac validate`")
    }

    static func tarmacYAML(application: String) -> String {
        """
        # tarmac.yml — how \(application) is bundled and where it is deployed.
        # Every key is checked: a typo is an error with its line and column (`tarmac validate`).
        application: \(application)
        bundle:
          root: .              # the directory of the revision that becomes the bundle
          format: tar.gz       # tar.gz | tar.zst | tar.xz | tar | zip
        groups:
          staging:
            hosts: [stage1.internal]          # names, or { name: web2, address: 10.0.0.12, port: 22 }
            config: AllAtOnce                 # AllAtOnce | HalfAtATime | OneAtATime
            # user: deploy                    # SSH user (default: you)
            # identity: ~/.ssh/id_ed25519     # default: ssh-agent, then ~/.ssh/id_ed25519, id_ecdsa
            # known_hosts: ~/.ssh/known_hosts # strict; `tarmac hosts trust staging` records the keys
            # deployment_root: /var/lib/tarmac
            # file_exists_behavior: DISALLOW  # DISALLOW | OVERWRITE | RETAIN
            # auto_rollback: true             # redeploy the last good revision when a deployment fails
            # max_revisions: 5
            # sudo: false                     # run the host programs under `sudo -n`
            # connect_timeout: 10             # seconds
            # io_timeout: 30                  # seconds without an answer before a host is failed
            # proxy_jump: ops@bastion.internal  # through a jump host, as ssh's ProxyJump (none: direct)
        # deployment_configs:                 # your own minimum-healthy-hosts rules
        #   NinetyPercent: { minimum_healthy_hosts: { type: FLEET_PERCENT, value: 90 } }
        pipeline:                             # `tarmac run`, `make deploy`, and `tarmac hook install`
          trigger: { branches: [main] }       # which commits the post-commit hook deploys
          # trigger: { branches: [main], paths: [src/, appspec.yml] }
          mode: QUEUED                        # QUEUED: every commit in order | SUPERSEDED: the newest
          # build:                            # in a clean export of the commit, never in your tree
          #   commands: [make dist]           # then set bundle.root to what it makes, e.g. dist
          #   timeout: 600                    # seconds, per command
          stages:
            - deploy: staging
            # - approval: { message: "promote to production?" }   # `tarmac approve` / `reject`
            # - deploy: production

        """
    }

    static func appspecYAML(application: String) -> String {
        """
        # appspec.yml — what a host does with a revision of \(application) (AWS CodeDeploy's format).
        version: 0.0
        os: linux
        files:
          - source: /                        # the whole revision …
            destination: /opt/\(application)  # … lands here on every host
        # permissions:
        #   - object: /opt/\(application)
        #     pattern: "**"
        #     owner: www-data
        #     mode: "0644"
        #     type: [file]
        # hooks:                              # scripts from the revision, run in this order:
        #   ApplicationStop:                  # (from the revision installed before this one)
        #     - location: scripts/stop.sh
        #       timeout: 60
        #   BeforeInstall:
        #     - location: scripts/before-install.sh
        #   AfterInstall:
        #     - location: scripts/after-install.sh
        #       runas: root
        #   ApplicationStart:
        #     - location: scripts/start.sh
        #   ValidateService:
        #     - location: scripts/validate.sh

        """
    }
}
