@testable import TarmacCore

/// Plain-text renderings of parsed models, so goldens also show what a valid file means.
enum ModelRendering {
    static func render(_ spec: AppSpec) -> String {
        var lines = [
            "# model",
            "version \(spec.version), os \(spec.os), file_exists_behavior \(spec.fileExistsBehavior?.rawValue ?? "-")",
        ]
        for file in spec.files {
            lines.append(
                "file \(file.sourcePath.isEmpty ? "<root>" : file.sourcePath) -> \(file.destination) @\(file.location.line)"
            )
        }
        for p in spec.permissions {
            var parts = ["permission \(p.object) pattern=\(p.pattern)"]
            if !p.except.isEmpty { parts.append("except=\(p.except.joined(separator: ","))") }
            if let owner = p.owner { parts.append("owner=\(owner)") }
            if let group = p.group { parts.append("group=\(group)") }
            if let mode = p.mode { parts.append("mode=\(mode)") }
            if !p.acls.isEmpty { parts.append("acls=\(p.acls.map(\.description).joined(separator: ","))") }
            if let c = p.context {
                parts.append("context=\(c.user ?? "-"):\(c.type):\(c.range?.description ?? "-")")
            }
            parts.append("type=\(p.types.map(\.rawValue).joined(separator: ","))")
            lines.append(parts.joined(separator: " "))
        }
        for event in spec.hooks {
            for s in event.scripts {
                lines.append(
                    "hook \(event.name) \(s.location) timeout=\(s.timeout) runas=\(s.runas ?? "-") sudo=\(s.sudo)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func render(_ config: ProjectConfig) -> String {
        var lines = [
            "# model", "application \(config.application)",
            "bundle root=\(config.bundle.root) format=\(config.bundle.format.rawValue)",
        ]
        for c in config.deploymentConfigs {
            var line = "config \(c.name) \(c.rule)"
            if let z = c.zonal {
                line += " zonal(first=\(z.firstZoneMonitorDuration) each=\(z.monitorDuration) "
                line += "perZone=\(z.minimumHealthyPerZone))"
            }
            if let bake = c.bake { line += " bake=\(bake)" }
            lines.append(line)
        }
        for g in config.groups {
            let hosts = g.hosts.map { "\($0.name)=\($0.address):\($0.port)\($0.zone.map { "@" + $0 } ?? "")" }
                .joined(separator: ",")
            lines.append(
                "group \(g.name) id=\(g.id) hosts=\(hosts) config=\(g.config.name) user=\(g.user ?? "-") "
                    + "root=\(g.deploymentRoot) feb=\(g.fileExistsBehavior.rawValue) rollback=\(g.autoRollback) "
                    + "ignoreStop=\(g.ignoreApplicationStopFailures) max=\(g.maxRevisions) sudo=\(g.sudo) "
                    + "traffic=\(g.traffic.map { "\($0.block) | \($0.allow)" } ?? "-")")
            if let w = g.window {
                let sets = [w.cron.minutes, w.cron.hours, w.cron.daysOfMonth, w.cron.months, w.cron.daysOfWeek]
                let fields = sets.map { $0.sorted().map(String.init).joined(separator: ",") }
                lines.append("window \(g.name) \(w) fields=\(fields.joined(separator: " | "))")
            }
            if let health = g.health {
                lines.append("health \(g.name) interval=\(health.interval)")
                for c in health.checks {
                    lines.append("check \(c.name) on=\(c.runOn.rawValue) timeout=\(c.timeout) command=\(c.command)")
                }
            }
        }
        if let p = config.pipeline {
            lines.append(
                "pipeline branches=\(p.trigger.branches) paths=\(p.trigger.paths ?? []) mode=\(p.mode.rawValue) "
                    + "build=\(p.build?.commands ?? []) timeout=\(p.build?.timeout.map(String.init) ?? "-")")
            for stage in p.stages {
                switch stage {
                case .deploy(let group, _): lines.append("stage deploy \(group)")
                case .approval(let message, _): lines.append("stage approval \(message ?? "-")")
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
