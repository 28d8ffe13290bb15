import TarmacBundle
import TarmacCore

/// The bundle's AppSpec, validated against the bundle's own members.
struct InspectAppSpec {
    var spec: AppSpec?
    var diagnostics: [Diagnostic]
    /// A delta that does not carry its AppSpec: unchanged since the base, which the host has.
    var fromBase = false

    init(report: BundleReport) {
        if report.appspecText == nil, report.delta != nil, let manifest = report.manifest,
            manifest.files.contains(where: { $0.path == manifest.appspec && $0.type == .file })
        {
            (spec, diagnostics, fromBase) = (nil, [], true)
            return
        }
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
        // A delta's revision is the whole of its manifest: the host has the files it leaves out.
        let tree = RevisionTree(files: report.delta != nil ? report.manifest?.files ?? [] : report.files, under: prefix)
        (spec, diagnostics) = AppSpec.parse(text, file: name, tree: tree)
    }
}
