public import Foundation
public import Rollout

/// The schedule `wavesync plan` shows: what each site would pull to go from `running` to
/// `revision`, and when the engine would start and finish it (`RolloutProjection`).
public enum RolloutSchedule {
  public struct Plan: Sendable {
    public var prepared: PreparedRevision
    /// Bytes per site, and why the others are unknown.
    public var payloads: PayloadEstimates
    public var projection: RolloutProjection
  }

  /// Renders `revision` (refusing it as a rollout would), estimates the payloads against
  /// `running` (nil: nothing known to run, so everything counts) and projects the rollout from
  /// `start`.
  public static func plan(
    _ targets: FleetRolloutTargets, revision: String, running: String?, start: Date
  ) async throws -> Plan {
    let prepared = try await targets.prepare(revision: revision)
    let payloads = await targets.payloads(of: revision, replacing: running, behind: [])
    let projection = RolloutProjection.project(
      policy: prepared.policy, sites: prepared.sites, payloadBytes: payloads.bytes,
      urgent: prepared.urgent, start: start)
    return Plan(prepared: prepared, payloads: payloads, projection: projection)
  }
}
