/// A Namespace is current while Active and in progress while Terminating.
enum NamespaceHealth {
  static func health(of namespace: LiveObject) -> ObjectHealth {
    guard namespace.string("status", "phase") == "Terminating" else {
      return .current("Active", "the namespace is active")
    }
    let remaining = namespace.value[path: ["spec", "finalizers"]]?.arrayValue?.count ?? 0
    return .inProgress(
      "Terminating",
      "the namespace is terminating with \(counted(Int64(remaining), "finalizer")) left")
  }
}
