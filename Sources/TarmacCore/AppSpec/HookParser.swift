/// Reads the `hooks` section: event names and their script entries.
///
/// Event names: a lifecycle event that takes scripts is fine; DownloadBundle, Install,
/// BlockTraffic and AllowTraffic are performed by tarmac itself, so scripts under them would
/// never run and are an error; a name that differs from a lifecycle event only in case is an
/// error (it would silently never run); any other name is a custom event, kept with a warning
/// because it runs only when named with `tarmac apply --events` (codedeploy-local semantics).
struct HookParser {
    var reader: YAMLReader

    static let scriptKeys = ["location", "timeout", "runas", "sudo"]

    mutating func parse(_ node: YAMLNode) -> [AppSpec.HookEvent] {
        guard !node.isNull else { return [] }
        guard let pairs = reader.mapping(node, "hooks", example: "AfterInstall: [{ location: scripts/install.sh }]")
        else {
            return []
        }
        var events: [AppSpec.HookEvent] = []
        for pair in pairs {
            let name = pair.name
            // A key with nothing under it is ignored, as the agent does (spec 1.9).
            if pair.value.isNull || pair.value.items?.isEmpty == true { continue }
            guard checkEventName(name, at: pair.key) else { continue }
            let scripts = self.scripts(pair.value, "hooks.\(name)")
            guard !scripts.isEmpty else { continue }
            let event = AppSpec.HookEvent(name: name, scripts: scripts, location: pair.key.location)
            checkBudget(event, at: pair.key)
            events.append(event)
        }
        return events
    }

    /// Warns when the scripts of one event may run longer than an event may take (spec 3.9).
    private mutating func checkBudget(_ event: AppSpec.HookEvent, at key: YAMLNode) {
        let cap = AppSpec.HookScript.defaultTimeout
        guard event.timeoutSum > cap else { return }
        reader.warning(
            "hooks.\(event.name): the script timeouts add up to \(event.timeoutSum) s (3600 s for each script "
                + "without timeout), more than the \(cap) s one event may take; lower the timeouts", at: key)
    }

    /// False when the name must be rejected.
    private mutating func checkEventName(_ name: String, at key: YAMLNode) -> Bool {
        if let event = LifecycleEvent(rawValue: name) {
            guard event.isScriptable else {
                reader.error(
                    "hooks event \(Quote.text(name)) is not scriptable: tarmac performs it itself; "
                        + "move its scripts to one of \(Quote.plainList(LifecycleEvent.scriptableNames))", at: key)
                return false
            }
            return true
        }
        if let event = LifecycleEvent.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) {
            reader.error(
                "hooks event \(Quote.text(name)) must be spelt \(Quote.text(event.rawValue)); event names are case-sensitive",
                at: key)
            return false
        }
        var message =
            "hooks event \(Quote.text(name)) is not a lifecycle event, so it is a custom event that runs "
            + "only when named with --events"
        if let guess = Spelling.closest(to: name, in: LifecycleEvent.scriptableNames) {
            message += "; did you mean \(Quote.text(guess))?"
        }
        reader.warning(message, at: key)
        return true
    }

    private mutating func scripts(_ node: YAMLNode, _ path: String) -> [AppSpec.HookScript] {
        if node.pairs != nil {
            reader.error("\(path) must be a list of scripts; put \"- \" before location", at: node)
            return []
        }
        guard let items = reader.list(node, path, example: "[{ location: scripts/start.sh, timeout: 300 }]") else {
            return []
        }
        return items.enumerated().compactMap { index, item in script(item, "\(path)[\(index)]") }
    }

    private mutating func script(_ item: YAMLNode, _ path: String) -> AppSpec.HookScript? {
        guard let pairs = reader.mapping(item, path, example: "location: scripts/start.sh") else { return nil }
        reader.checkKeys(pairs, allowed: Self.scriptKeys, path, .warn("tarmac ignores it"))
        let hint = "name the script relative to the bundle root, e.g. location: scripts/start.sh"
        let raw = reader.requiredString(item["location"], path + ".location", owner: item, hint: hint)
        var script: AppSpec.HookScript?
        if let raw, let node = item["location"], let location = location(raw.trimmingSpaces, node, path + ".location") {
            script = AppSpec.HookScript(location: location, sourceLocation: item.location, pathLocation: node.location)
        }
        if let node = item["timeout"], !node.isNull, let timeout = timeout(node, path + ".timeout") {
            script?.timeout = timeout
        }
        if let node = item["runas"], !node.isNull, let text = reader.string(node, path + ".runas") {
            script?.runas = runas(text.trimmingSpaces, node, path + ".runas")
        }
        if let node = item["sudo"], !node.isNull, let sudo = reader.bool(node, path + ".sudo") {
            script?.sudo = sudo
        }
        return script
    }

    private mutating func location(_ text: String, _ node: YAMLNode, _ path: String) -> String? {
        if PathRules.hasParentReference(text) {
            reader.error(
                "\(path) \(Quote.text(text)) has a \"..\" component; a script must be inside the bundle", at: node)
            return nil
        }
        if PathRules.hasControlCharacter(text) {
            reader.error("\(path) \(Quote.text(text)) contains a control character; rename the script", at: node)
            return nil
        }
        if text.contains(where: { $0 == " " || $0 == "\t" }) {
            reader.warning(
                "\(path) \(Quote.text(text)) has a space; it is one file name, because hook scripts take "
                    + "no arguments, so rename the file or wrap the call in a script", at: node)
        }
        if RevisionTree.normalize(text).isEmpty {
            reader.error(
                "\(path) \(Quote.text(text)) names the bundle root, not a script; write e.g. scripts/start.sh",
                at: node)
            return nil
        }
        return text
    }

    private mutating func timeout(_ node: YAMLNode, _ path: String) -> Int? {
        guard let value = reader.integer(node, path, allowQuoted: true) else { return nil }
        guard value > 0 else {
            reader.error("\(path) \(value) is not a positive number of seconds; write e.g. timeout: 300", at: node)
            return nil
        }
        return value
    }

    private mutating func runas(_ name: String, _ node: YAMLNode, _ path: String) -> String? {
        guard !name.isEmpty else { return nil }
        if name.contains(where: { $0 == " " || $0 == "\t" || $0 == ":" || $0 == "/" }) {
            reader.error(
                "\(path) \(Quote.text(name)) is not a user name; write the user alone, e.g. runas: www-data",
                at: node)
            return nil
        }
        return name
    }
}
