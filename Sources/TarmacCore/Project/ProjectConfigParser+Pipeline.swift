/// Reads `pipeline`: trigger, mode, build and stages (deploy stages must name a group).
extension ProjectConfigParser {
    mutating func pipeline(_ node: YAMLNode, groups: [String]) -> Pipeline? {
        guard let pairs = reader.mapping(node, "pipeline", example: "{ stages: [{ deploy: staging }] }") else {
            return nil
        }
        reader.checkKeys(pairs, allowed: ["trigger", "mode", "build", "stages"], "pipeline", .reject)
        var pipeline = Pipeline()
        if let trigger = node["trigger"], !trigger.isNull {
            pipeline.trigger = self.trigger(trigger) ?? pipeline.trigger
        }
        if let modeNode = node["mode"], !modeNode.isNull, let text = reader.string(modeNode, "pipeline.mode") {
            if let mode = Pipeline.Mode(rawValue: text) {
                pipeline.mode = mode
            } else {
                reader.error("pipeline.mode \(Quote.text(text)) is not valid; use QUEUED or SUPERSEDED", at: modeNode)
            }
        }
        if let buildNode = node["build"], !buildNode.isNull { pipeline.build = build(buildNode) }
        guard let stagesNode = node["stages"], !stagesNode.isNull else {
            reader.error("pipeline.stages is missing; add e.g. stages: [{ deploy: staging }]", at: node)
            return pipeline
        }
        pipeline.stages = stages(stagesNode, groups: groups)
        return pipeline
    }

    private mutating func trigger(_ node: YAMLNode) -> Pipeline.Trigger? {
        guard let pairs = reader.mapping(node, "pipeline.trigger", example: "{ branches: [main] }") else { return nil }
        reader.checkKeys(pairs, allowed: ["branches", "paths"], "pipeline.trigger", .reject)
        var trigger = Pipeline.Trigger()
        if let branches = node["branches"], !branches.isNull {
            let values = reader.stringList(branches, "pipeline.trigger.branches", example: "[main]") ?? []
            if branches.items?.isEmpty == true {
                reader.error("pipeline.trigger.branches is empty; list at least one branch, e.g. [main]", at: branches)
            }
            trigger.branches = values
        }
        if let paths = node["paths"], !paths.isNull {
            trigger.paths = reader.stringList(paths, "pipeline.trigger.paths", example: "[src/, site/]")
        }
        return trigger
    }

    private mutating func build(_ node: YAMLNode) -> Pipeline.Build? {
        guard let pairs = reader.mapping(node, "pipeline.build", example: "{ commands: [make site] }") else {
            return nil
        }
        reader.checkKeys(pairs, allowed: ["commands", "timeout"], "pipeline.build", .reject)
        guard let commandsNode = node["commands"], !commandsNode.isNull else {
            reader.error("pipeline.build.commands is missing; add e.g. commands: [make site]", at: node)
            return nil
        }
        let commands = reader.stringList(commandsNode, "pipeline.build.commands", example: "[make site]")
        if commandsNode.items?.isEmpty == true {
            reader.error(
                "pipeline.build.commands is empty; list at least one command or remove build", at: commandsNode)
        }
        var timeout: Int?
        if let timeoutNode = node["timeout"], !timeoutNode.isNull,
            let value = reader.integer(timeoutNode, "pipeline.build.timeout")
        {
            if value > 0 {
                timeout = value
            } else {
                reader.error("pipeline.build.timeout \(value) is not a positive number of seconds", at: timeoutNode)
            }
        }
        return commands.map { Pipeline.Build(commands: $0, timeout: timeout) }
    }

    private mutating func stages(_ node: YAMLNode, groups: [String]) -> [Pipeline.Stage] {
        guard let items = reader.list(node, "pipeline.stages", example: "[{ deploy: staging }]") else { return [] }
        var stages: [Pipeline.Stage] = []
        for (index, item) in items.enumerated() {
            if let stage = stage(item, "pipeline.stages[\(index)]", groups: groups) { stages.append(stage) }
        }
        let deploys = items.filter { $0["deploy"] != nil }.count
        if deploys == 0 {
            reader.error("pipeline.stages has no deploy stage; add e.g. \"- deploy: staging\"", at: node)
        }
        if case .approval(_, let location)? = stages.last {
            reader.append([
                .warning(
                    "the last pipeline stage is an approval, which gates nothing; remove it or add a deploy stage after it",
                    at: location)
            ])
        }
        return stages
    }

    private mutating func stage(_ item: YAMLNode, _ path: String, groups: [String]) -> Pipeline.Stage? {
        guard let pairs = reader.mapping(item, path, example: "{ deploy: staging } or { approval: { message: ok? } }")
        else {
            return nil
        }
        reader.checkKeys(pairs, allowed: ["deploy", "approval"], path, .reject)
        let known = pairs.filter { $0.name == "deploy" || $0.name == "approval" }
        guard known.count == 1, let pair = known.first else {
            reader.error("\(path) must have exactly one of deploy or approval", at: item)
            return nil
        }
        if pair.name == "approval" { return approval(pair.value, path + ".approval", at: item) }
        guard let name = reader.requiredString(pair.value, path + ".deploy", owner: item, hint: "name a group") else {
            return nil
        }
        guard groups.contains(name) else {
            let defined = groups
            var message = "\(path).deploy names the group \(Quote.text(name)), which groups does not define; "
            message += defined.isEmpty ? "add it under groups" : "use one of \(Quote.plainList(defined))"
            if let guess = Spelling.closest(to: name, in: defined) {
                message += " (did you mean \(Quote.text(guess))?)"
            }
            reader.error(message, at: pair.value)
            return nil
        }
        return .deploy(group: name, location: item.location)
    }

    private mutating func approval(_ node: YAMLNode, _ path: String, at item: YAMLNode) -> Pipeline.Stage? {
        guard !node.isNull else { return .approval(message: nil, location: item.location) }
        guard let pairs = reader.mapping(node, path, example: "{ message: \"promote to production?\" }") else {
            return nil
        }
        reader.checkKeys(pairs, allowed: ["message"], path, .reject)
        return .approval(message: optionalString(node["message"], path + ".message"), location: item.location)
    }
}
