public import Model

/// What a diff compares: an object as the user would write it, without the fields the API
/// server owns (identity, bookkeeping, status). Applied to the live object and to the server's
/// dry-run answer alike, so defaulted fields appear on both sides and cancel out.
public enum LiveObjectNormalizer {
  static let serverMetadata = [
    "managedFields", "resourceVersion", "uid", "generation", "creationTimestamp", "selfLink",
    "deletionTimestamp", "deletionGracePeriodSeconds",
  ]
  /// Annotations other tools or controllers write, never part of the desired state.
  static let serverAnnotations = [
    "kubectl.kubernetes.io/last-applied-configuration", "deployment.kubernetes.io/revision",
  ]

  public static func normalize(_ object: Value) -> Value {
    var result = object
    result["status"] = nil
    for field in serverMetadata { result[path: ["metadata", field]] = nil }
    if case .object(var annotations)? = result[path: ["metadata", "annotations"]] {
      for key in serverAnnotations { annotations[key] = nil }
      result[path: ["metadata", "annotations"]] = annotations.isEmpty ? nil : .object(annotations)
    }
    return result.keysSorted
  }
}
