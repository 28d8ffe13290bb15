/// Reads a permission's `context` mapping (`name`/`user`, `type`, `range`).
struct SELinuxContextParser {
    var reader: YAMLReader

    mutating func parse(_ node: YAMLNode, _ path: String) -> SELinuxContext? {
        guard !node.isNull else { return nil }
        guard let pairs = reader.mapping(node, path, example: "{ type: httpd_sys_content_t, range: s0 }") else {
            return nil
        }
        reader.checkKeys(pairs, allowed: ["name", "user", "type", "range"], path, .warn("tarmac ignores it"))
        let type = reader.requiredString(
            node["type"], path + ".type", owner: node, hint: "add the SELinux type, e.g. type: httpd_sys_content_t")
        let user = self.user(node, path)
        var range: SELinuxRange?
        if let rangeNode = node["range"], !rangeNode.isNull, let text = reader.string(rangeNode, path + ".range") {
            range = parseRange(text, rangeNode, path + ".range")
        }
        guard let type else { return nil }
        return SELinuxContext(user: user, type: type.trimmingSpaces, range: range)
    }

    /// `name`, or its documented alias `user`; both must agree when both are given.
    private mutating func user(_ node: YAMLNode, _ path: String) -> String? {
        let nameNode = node["name"].flatMap { $0.isNull ? nil : $0 }
        let userNode = node["user"].flatMap { $0.isNull ? nil : $0 }
        let name = nameNode.flatMap { reader.string($0, path + ".name") }
        let user = userNode.flatMap { reader.string($0, path + ".user") }
        if let name, let user, name != user, let userNode {
            reader.error(
                "\(path).user \(Quote.text(user)) differs from \(path).name \(Quote.text(name)); "
                    + "they are the same setting, so keep only one", at: userNode)
        }
        return name ?? user
    }

    private mutating func parseRange(_ text: String, _ node: YAMLNode, _ path: String) -> SELinuxRange? {
        let head = "\(path) \(Quote.text(text))"
        let grammar = "write s<N>[-s<M>][:c<a>[.c<b>],…], e.g. \"s0-s3:c0.c5\""
        switch SELinuxRange.parse(text) {
        case .success(let range):
            return range
        case .failure(.emptyPart(let part)):
            reader.error("\(head) has an empty or extra part in \(Quote.text(part)); \(grammar)", at: node)
        case .failure(.invalidSensitivity(let level)):
            reader.error(
                "\(head) has the sensitivity \(Quote.text(level)); a sensitivity is \"s\" and digits, e.g. \"s0\"",
                at: node)
        case .failure(.sensitivityOrder(let part)):
            reader.error(
                "\(head): in \(Quote.text(part)) the high sensitivity is below the low one; write the low one first",
                at: node)
        case .failure(.invalidCategory(let category)):
            reader.error(
                "\(head) has the category \(Quote.text(category)); a category is \"c\" and a number from 0 to \(SELinuxRange.maximumCategory)",
                at: node)
        case .failure(.categoryOrder(let part)):
            let reversed = part.split(separator: ".").reversed().joined(separator: ".")
            reader.error(
                "\(head): the category range \(Quote.text(part)) runs backwards; write \(Quote.text(reversed))",
                at: node)
        case .failure(.duplicateCategory(let value)):
            reader.error("\(head) names the category c\(value) more than once; list each category once", at: node)
        }
        return nil
    }
}
