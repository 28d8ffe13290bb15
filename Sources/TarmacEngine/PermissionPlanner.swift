import TarmacCore

/// Plans the `permissions` section (spec §5) over what the copy plan installs: which paths
/// each entry reaches, what each gets, and every problem (duplicate reach, unknown accounts,
/// missing tools, the apply-time checks of §1.6).
struct PermissionPlanner {
    /// What this install creates, which is all a permission entry may touch.
    struct Installed {
        /// Copied regular files in creation order, with their modes from the manifest.
        var files: [(path: String, mode: UInt32)] = []
        /// Directories this install makes, in creation order.
        var createdDirectories: [String] = []
        /// Every directory the install makes or passes through (existing ones included).
        var directories: Set<String> = []
    }

    /// One path an entry reaches.
    struct Target {
        var path: String
        var isFile: Bool
        /// The mode the object has before this entry's chmod.
        var mode: UInt32
    }

    /// The mode this install gives directories it makes.
    static let directoryMode: UInt32 = 0o755

    let spec: AppSpec
    let facts: HostFacts
    private(set) var changes: [InstallPlan.PermissionChange] = []
    /// Paths given an SELinux label, in order (they join the next cleanup record).
    private(set) var labelled: [String] = []
    private(set) var problems: [PlanProblem] = []
    private var reachedBy: [String: Int] = [:]
    private var reported: Set<String> = []

    init(spec: AppSpec, facts: HostFacts) {
        self.spec = spec
        self.facts = facts
    }

    /// Plans every entry in AppSpec order.
    mutating func plan(_ installed: Installed) {
        for index in spec.permissions.indices {
            for target in select(index, installed) { apply(index, target) }
        }
    }

    /// The paths entry `index` reaches (spec §5.1): the object itself when it is a copied file,
    /// else matching files then matching directories this install creates under the object.
    func select(_ index: Int, _ installed: Installed) -> [Target] {
        let permission = spec.permissions[index]
        let object = permission.object
        if let file = installed.files.first(where: { $0.path == object }) {
            guard permission.types.contains(.file) else { return [] }
            return [Target(path: object, isFile: true, mode: file.mode)]
        }
        guard installed.directories.contains(object) else { return [] }
        let scope = PermissionScope(permission)
        var targets: [Target] = []
        if permission.types.contains(.file) {
            for file in installed.files where scope.reaches(file.path) {
                targets.append(Target(path: file.path, isFile: true, mode: file.mode))
            }
        }
        if permission.types.contains(.directory) {
            for directory in installed.createdDirectories where scope.reaches(directory) {
                targets.append(Target(path: directory, isFile: false, mode: Self.directoryMode))
            }
        }
        return targets
    }

    /// Builds the change entry `index` makes to one path, reporting what cannot be applied.
    private mutating func apply(_ index: Int, _ target: Target) {
        let permission = spec.permissions[index]
        if let other = reachedBy[target.path] {
            report(
                target.path,
                "\(name(other)) and \(name(index)) both apply to \(q(target.path)); a path may get "
                    + "permissions from one entry only, so narrow one of them with pattern, except or type")
            return
        }
        reachedBy[target.path] = index
        if target.isFile && target.path == permission.object && !checkFileObject(index) { return }
        var change = InstallPlan.PermissionChange(path: target.path)
        change.owner = permission.owner.flatMap { account($0, known: facts.users, what: "user", index) }
        change.group = permission.group.flatMap { account($0, known: facts.groups, what: "group", index) }
        change.mode = permission.mode.map { UInt32($0.bits) }
        if !permission.acls.isEmpty {
            change.acl = acl(index, target, mode: change.mode ?? target.mode)
        }
        if let context = permission.context {
            requireTools(
                [("semanage", "policycoreutils-python-utils"), ("restorecon", "policycoreutils")], index,
                for: "an SELinux context")
            change.selinuxUser = context.user
            change.selinuxType = context.type
            change.selinuxRange = context.range?.description
            labelled.append(target.path)
        }
        if change != InstallPlan.PermissionChange(path: target.path) { changes.append(change) }
    }

    /// Spec §1.6 apply-time checks for an entry whose object is itself a copied file.
    private mutating func checkFileObject(_ index: Int) -> Bool {
        let permission = spec.permissions[index]
        let object = permission.object
        var valid = true
        if permission.pattern != "**" {
            report(
                object,
                "\(name(index)) names the file \(q(object)) as its object but has pattern "
                    + "\(q(permission.pattern)); a pattern selects names under a directory object, so remove it or "
                    + "name the directory as the object")
            valid = false
        }
        if !permission.except.isEmpty {
            let list = permission.except.map(q).joined(separator: ", ")
            report(
                object,
                "\(name(index)) names the file \(q(object)) as its object but has except [\(list)]; "
                    + "except applies under a directory object, so remove it or name the directory as the object")
            valid = false
        }
        return valid
    }

    /// The full ACL for one path, or nil when it cannot be applied (reported).
    private mutating func acl(_ index: Int, _ target: Target, mode: UInt32) -> [String]? {
        let entries = spec.permissions[index].acls
        requireTools([("setfacl", "acl")], index, for: "acls")
        if target.isFile, let entry = entries.first(where: \.isDefault) {
            report(
                target.path,
                "\(name(index)) sets the default ACL entry \(q(entry.description)) on the file "
                    + "\(q(target.path)); default entries apply to directories only, so remove the entry or limit the "
                    + "permission to directories with type: [directory]")
            return nil
        }
        return PermissionACL.full(entries, mode: mode)
    }

    /// The account name when the host has it; otherwise reports it once and returns nil.
    private mutating func account(_ account: String, known: Set<String>, what: String, _ index: Int) -> String? {
        if known.contains(account) { return account }
        if reported.insert("\(what) \(account)").inserted {
            let key = what == "user" ? "owner" : "group"
            report(
                spec.permissions[index].object,
                "the \(what) \(q(account)) does not exist on this host; create it "
                    + "before Install or correct \(name(index)).\(key)")
        }
        return nil
    }

    /// Reports, once per tool, a tool the host lacks.
    private mutating func requireTools(_ tools: [(name: String, package: String)], _ index: Int, for what: String) {
        for tool in tools where !facts.tools.contains(tool.name) && reported.insert("tool \(tool.name)").inserted {
            report(
                spec.permissions[index].object,
                "\(name(index)) sets \(what), but this host has no \(tool.name); "
                    + "install the \(tool.package) package on the host, or remove \(what) from the entry")
        }
    }

    private mutating func report(_ path: String, _ message: String) {
        problems.append(PlanProblem(path: path, message: message))
    }

    /// `permissions[1] (appspec.yml:14:5)`.
    private func name(_ index: Int) -> String {
        "permissions[\(index)] (\(InstallPlannerPaths.place(spec.permissions[index].location)))"
    }

    private func q(_ value: String) -> String { InstallPlannerPaths.quoted(value) }
}
