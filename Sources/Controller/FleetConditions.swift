import Foundation

/// The condition types of a `Fleet`, as kstatus reads them: `Ready` says whether the fleet runs
/// what its repository says, `Reconciling` that a rollout is under way, `Stalled` that it cannot
/// go on without a person (a new commit, a fix of the spec or the cluster).
public enum FleetConditionType {
  public static let ready = "Ready"
  public static let reconciling = "Reconciling"
  public static let stalled = "Stalled"
  /// Git does not answer; the fleet runs on the last fetched commit.
  public static let gitOffline = "GitOffline"
}

enum FleetConditions {
  /// Ready, Reconciling and Stalled after a reconcile that ended with `outcome`.
  static func after(_ outcome: ReconcileOutcome, generation: Int?, at: Date) -> [FleetCondition] {
    func condition(_ type: String, _ status: Bool?, _ reason: String, _ message: String)
      -> FleetCondition
    {
      FleetCondition(
        type: type, status: status, reason: reason, message: FleetStateEncoding.bounded(message),
        observedGeneration: generation, at: at)
    }
    switch outcome {
    case .rolledOut(let revision):
      let message = "every site runs \(revision)"
      return [
        condition(FleetConditionType.ready, true, "RolledOut", message),
        condition(FleetConditionType.reconciling, false, "RolledOut", message),
        condition(FleetConditionType.stalled, false, "RolledOut", message),
      ]
    case .rolledBack(let revision, let reason):
      let message = "\(revision) was rolled back: \(reason)"
      return [
        condition(FleetConditionType.ready, false, "RolledBack", message),
        condition(FleetConditionType.reconciling, false, "RolledBack", message),
        condition(FleetConditionType.stalled, true, "RolledBack", message),
      ]
    case .refused(let revision, let reason):
      let message = "\(revision) is not rolled out: \(reason)"
      return [
        condition(FleetConditionType.ready, false, "RevisionRefused", message),
        condition(FleetConditionType.reconciling, false, "RevisionRefused", message),
        condition(FleetConditionType.stalled, true, "RevisionRefused", message),
      ]
    case .failed(let reason, let message):
      // Retried at the next reconcile: not stalled, not ready.
      return [
        condition(FleetConditionType.ready, false, reason.rawValue, message),
        condition(FleetConditionType.reconciling, false, reason.rawValue, message),
      ]
    case .stopped:
      let message = "the controller stopped; the rollout resumes where it was"
      return [condition(FleetConditionType.reconciling, false, "Stopped", message)]
    case .suspended:
      let message = "spec.suspend is set: nothing is fetched, rendered or applied"
      return [
        condition(FleetConditionType.ready, nil, "Suspended", message),
        condition(FleetConditionType.reconciling, false, "Suspended", message),
      ]
    }
  }
}
