import TarmacBundle
import TarmacCore

/// The bundle's AppSpec, validated against the bundle's own members.
struct InspectAppSpec {
    var spec: AppSpec?
    var diagnostics: [Diagnostic]

    init(report: BundleReport) {
        guard let text = report.appspecText, let name = report.appspecName else {
            spec = nil
            diagnostics = [
                .error(
                    "the bundle has no appspec.yml or appspec.yaml at its root",
                    at: SourceLocation(file: report.path, line: 0, column: 0))
            ]
            return
        }
        let prefix = report.wrapperDirectory.map { $0 + "/" } ?? ""
        var tree = RevisionTree()
        for file in report.files where file.path.hasPrefix(prefix) {
            let kind: RevisionTree.Kind =
                file.type == .directory ? .directory : file.type == .symlink ? .symlink : .file
            tree.insert(
                String(file.path.dropFirst(prefix.count)),
                .init(kind: kind, executable: file.mode.last.map { "1357".contains($0) } ?? false, size: file.size))
        }
        (spec, diagnostics) = AppSpec.parse(text, file: name, tree: tree)
    }
}
