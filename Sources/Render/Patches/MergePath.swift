/// Where a merge is: field names for the schema, and a readable path for errors.
struct MergePath: Sendable {
  /// Field names from the object root; list elements add nothing.
  var fields: [String] = []
  /// `spec.template.spec.containers[1].env`: indices count in the patch's lists, or in the
  /// target's where the patch leaves a list alone.
  var text = ""

  func appending(field: String) -> MergePath {
    MergePath(fields: fields + [field], text: text.isEmpty ? field : "\(text).\(field)")
  }

  func appending(index: Int) -> MergePath {
    MergePath(fields: fields, text: "\(text)[\(index)]")
  }

  func error(_ reason: String) -> PatchError { PatchError(location: text, reason: reason) }
}
