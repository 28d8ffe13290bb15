import TarmacCore

/// Which descendants of a directory object one permission entry selects (spec §5.2):
/// paths are matched relative to `object/`; `pattern: "**"` takes every depth, any other
/// pattern and every `except` glob only names directly under the object.
public struct PermissionScope: Sendable, Equatable {
    /// The directory object, absolute and normalised.
    public var object: String
    /// nil for `**`.
    public var pattern: GlobPattern?
    public var except: [GlobPattern]

    /// A scope from its parts as written in the AppSpec.
    public init(object: String, pattern: String = "**", except: [String] = []) {
        self.object = object
        self.pattern = pattern == "**" ? nil : GlobPattern(pattern)
        self.except = except.map(GlobPattern.init)
    }

    /// The scope of one `permissions` entry.
    public init(_ permission: AppSpec.Permission) {
        self.init(object: permission.object, pattern: permission.pattern, except: permission.except)
    }

    /// True when `path` is strictly below the object, matches the pattern and no except glob.
    public func reaches(_ path: String) -> Bool {
        guard let relative = InstallPlannerPaths.relative(path, under: object) else { return false }
        return matchesPattern(relative) && !isExcepted(relative)
    }

    /// True when the path relative to the object matches `pattern`.
    public func matchesPattern(_ relative: String) -> Bool {
        pattern?.matches(relative) ?? true
    }

    /// True when some `except` glob matches the path relative to the object.
    public func isExcepted(_ relative: String) -> Bool {
        except.contains { $0.matches(relative) }
    }
}
