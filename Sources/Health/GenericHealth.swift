/// Any other kind, custom resources above all, read by the conventions kstatus reads: the
/// `Stalled` and `Reconciling` conditions, the `Ready` condition, `status.observedGeneration`.
/// A kind with none of them is current once applied (`NoStatus`).
enum GenericHealth {
  static func health(of object: LiveObject) -> ObjectHealth {
    if let stalled = object.condition("Stalled"), stalled.isTrue {
      return .failed(
        stalled.reason ?? "Stalled",
        "the controller reports the \(object.kind) stalled"
          + stalled.quoted)
    }
    if let reconciling = object.condition("Reconciling"), reconciling.isTrue {
      return .inProgress(
        reconciling.reason ?? "Reconciling",
        "the controller is reconciling the \(object.kind)\(reconciling.quoted)")
    }
    if let ready = object.condition("Ready") {
      return health(of: object, ready: ready)
    }
    if let observed = object.observedGeneration {
      return .current(
        "GenerationObserved", "the controller has observed generation \(observed)")
    }
    return .current(
      "NoStatus", "a \(object.kind) has no status to wait for; it is current once applied")
  }

  private static func health(of object: LiveObject, ready: Condition) -> ObjectHealth {
    if let generation = object.generation, let seen = ready.observedGeneration, seen < generation {
      return .inProgress(
        "ReadyConditionStale",
        "the Ready condition describes generation \(seen), not yet generation \(generation)")
    }
    if ready.isTrue {
      return .current("Ready", "the Ready condition is True\(ready.quoted)")
    }
    if ready.isFalse, let reason = ready.reason, looksFailed(reason) {
      return .failed(reason, "the Ready condition is False\(ready.quoted)")
    }
    return .inProgress(
      ready.reason ?? "NotReady", "the Ready condition is \(ready.status)\(ready.quoted)")
  }

  /// A reason that names a failure or an error: `InstallFailed`, `ReconciliationError`.
  static func looksFailed(_ reason: String) -> Bool {
    let lowered = reason.lowercased()
    return lowered.contains("fail") || lowered.contains("error")
  }
}
