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
        let tree = RevisionTree(files: report.files, under: prefix)
        (spec, diagnostics) = AppSpec.parse(text, file: name, tree: tree)
    }
}
