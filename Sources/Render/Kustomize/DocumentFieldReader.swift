import Model

/// Reads typed fields of one YAML document (a kustomization, a configurations or replacements
/// file), with errors naming the file and the line of the field.
protocol DocumentFieldReader {
  var file: String { get }
  var document: YAMLDocument { get }
}

extension DocumentFieldReader {
  func fail(_ pointer: String, _ message: String) -> RenderError {
    RenderError(file: file, line: document.line(at: pointer) ?? document.line, message: message)
  }

  /// A string field. A number or boolean is refused, as kustomize refuses it: reading `1.10` as a
  /// number would turn it into `1.1` (and `010` into 8).
  func string(_ value: Value?, at pointer: String) throws(RenderError) -> String? {
    guard let value, !value.isNull else { return nil }
    guard let s = value.stringValue else {
      let name = pointer.split(separator: "/").last ?? ""
      let hint: String =
        switch value {
        case .int, .uint, .double, .bool: " (quote it)"
        default: ""
        }
      throw fail(pointer, "\(name) must be a string, found \(value.typeDescription)\(hint)")
    }
    return s
  }

  func onlyFields(_ value: Value, _ allowed: [String], at pointer: String) throws(RenderError) {
    guard case .object(let entries) = value else {
      throw fail(pointer, "expected a mapping, found \(value.typeDescription)")
    }
    for key in entries.keys where !allowed.contains(key) {
      throw fail(
        pointer + "/" + key,
        "unknown field \"\(key)\" (expected one of: \(allowed.joined(separator: ", ")))")
    }
  }

  func bool(_ value: Value?, at pointer: String) throws(RenderError) -> Bool {
    guard let value, !value.isNull else { return false }
    guard let b = value.boolValue else {
      throw fail(pointer, "expected true or false, found \(value.typeDescription)")
    }
    return b
  }

  /// A list of field specs: `path`, optional `group`, `version`, `kind`, and `create`.
  func fieldSpecs(_ value: Value?, at pointer: String) throws(RenderError) -> [FieldSpec] {
    guard let value, !value.isNull else { return [] }
    guard let items = value.arrayValue else {
      throw fail(
        pointer,
        "\(pointer.split(separator: "/").last ?? "") must be a list, found \(value.typeDescription)"
      )
    }
    var specs: [FieldSpec] = []
    for (index, item) in items.enumerated() {
      let at = "\(pointer)/\(index)"
      try onlyFields(item, ["path", "group", "version", "kind", "create"], at: at)
      guard let path = try string(item["path"], at: at + "/path"), !path.isEmpty else {
        throw fail(at, "a field spec needs a path")
      }
      specs.append(
        FieldSpec(
          path, kind: try string(item["kind"], at: at + "/kind"),
          group: try string(item["group"], at: at + "/group"),
          version: try string(item["version"], at: at + "/version"),
          create: try bool(item["create"], at: at + "/create")))
    }
    return specs
  }

  /// The one document of a file the kustomization names (`what`: the field naming it), or nil
  /// for an empty file.
  static func singleDocument(_ text: String, file: String, what: String) throws(RenderError)
    -> YAMLDocument?
  {
    let documents = try RenderError.documents(text, file: file, rules: .kubectl)
    guard documents.count <= 1 else {
      throw RenderError(
        file: file, line: documents[1].line,
        message: "a \(what) file must be a single YAML document")
    }
    return documents.first
  }
}
