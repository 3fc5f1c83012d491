public import Model

/// Secret values never leave Wavesync: in diffs, plans and errors every `data` and `stringData`
/// value of a Secret is replaced by a marker. Comparing the two sides first keeps the fact that
/// a value changed visible without showing it.
public enum SecretRedaction {
  public static let marker = "<redacted>"
  public static let changedMarker = "<redacted, changed>"

  public static func isSecret(_ object: Value) -> Bool {
    object["kind"]?.stringValue == "Secret" && (object["apiVersion"]?.stringValue ?? "v1") == "v1"
  }

  /// Both sides redacted; a key whose value differs between them is marked as changed.
  public static func redact(old: Value?, new: Value?) -> (old: Value?, new: Value?) {
    guard [old, new].contains(where: { $0.map(isSecret) == true }) else { return (old, new) }
    var redactedOld = old
    var redactedNew = new
    for field in ["data", "stringData"] {
      let before = old?[field]?.objectValue ?? [:]
      let after = new?[field]?.objectValue ?? [:]
      if redactedOld?[field] != nil {
        redactedOld?[field] = .object(before.mapValues { _ in .string(marker) })
      }
      if redactedNew?[field] != nil {
        var marked = after.mapValues { _ in Value.string(marker) }
        for (key, value) in after where before[key] != nil && before[key] != value {
          marked[key] = .string(changedMarker)
        }
        redactedNew?[field] = .object(marked)
      }
    }
    return (redactedOld, redactedNew)
  }

  public static func redact(_ object: Value) -> Value {
    redact(old: nil, new: object).new ?? object
  }
}
