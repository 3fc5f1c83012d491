public import KubeClient
public import Model
public import Rollout

/// The operator's controls in a `Fleet`'s spec (`paused`, `promotions`, `urgentRevisions`,
/// `rollbackTo`): the CLI writes them, conditional on the resourceVersion it read, and the
/// reconcile reads them.
public enum FleetControls {
  /// How many promotions a spec keeps (the CRD's limit): older ones are for finished rollouts.
  public static let promotionLimit = 50

  public static func read(_ fleet: Value) -> RolloutControls {
    RolloutControls(
      paused: fleet[path: ["spec", "paused"]]?.boolValue ?? false,
      promotions: (fleet[path: ["spec", "promotions"]]?.arrayValue ?? []).compactMap(\.stringValue),
      urgentRevisions: (fleet[path: ["spec", "urgentRevisions"]]?.arrayValue ?? []).compactMap(
        \.stringValue))
  }

  public static func rollbackTarget(_ fleet: Value) -> String? {
    fleet[path: ["spec", "rollbackTo"]]?.stringValue
  }

  /// Sets `spec.paused`.
  public static func setPaused(_ paused: Bool, objects: any FleetObjects, client: KubeClient)
    async throws
  {
    try await changeSpec(objects: objects, client: client) { $0["paused"] = .bool(paused) }
  }

  /// Opens the manual gate of `wave` for one rollout.
  public static func promote(
    rollout: String, wave: String, objects: any FleetObjects, client: KubeClient
  ) async throws {
    let entry = RolloutControls.promotion(rollout: rollout, wave: wave)
    try await changeSpec(objects: objects, client: client) { spec in
      var promotions = (spec["promotions"]?.arrayValue ?? []).compactMap(\.stringValue)
      promotions.removeAll { $0 == entry }
      promotions = Array((promotions + [entry]).suffix(promotionLimit))
      spec["promotions"] = .array(promotions.map(Value.string))
    }
  }

  /// Opens the gate of `wave` (default: the gate the rollout in progress waits at) for the
  /// rollout in progress, as the `Fleet`'s status shows it. Returns the wave and revision.
  public static func promote(wave: String?, objects: any FleetObjects, client: KubeClient)
    async throws -> (wave: String, revision: String)
  {
    // No Fleet: no rollout ever ran under this name.
    guard let fleet = try await objects.fleetIfInstalled() else {
      throw PromotionRefusal.noRolloutInProgress
    }
    let rollout = try fleet[path: ["status", "rollout"]].map {
      try StateJSON.decode(FleetRolloutStatus.self, from: $0)
    }
    guard let rollout, !rollout.engine.phase.isFinished else {
      throw PromotionRefusal.noRolloutInProgress
    }
    let name: String
    if let wave {
      guard rollout.engine.waveNames.contains(wave) else {
        throw PromotionRefusal.unknownWave(wave, waves: rollout.engine.waveNames)
      }
      name = wave
    } else {
      guard case .waitingForPromotion(let index) = rollout.engine.phase else {
        throw PromotionRefusal.notAtGate(revision: rollout.revision)
      }
      name = rollout.engine.waveNames[index]
    }
    try await promote(rollout: rollout.id, wave: name, objects: objects, client: client)
    return (name, rollout.revision)
  }

  /// Asks the reconcile to roll every site back to `revision`.
  public static func requestRollback(
    to revision: String, objects: any FleetObjects, client: KubeClient
  ) async throws {
    try await changeSpec(objects: objects, client: client) { $0["rollbackTo"] = .string(revision) }
  }

  /// A merge patch of the spec, conditional on the resourceVersion read: retried on a newer
  /// `Fleet` a few times when someone wrote it in between.
  private static func changeSpec(
    objects: any FleetObjects, client: KubeClient, _ change: (inout Value) -> Void
  ) async throws {
    let reference = ObjectReference(
      apiVersion: FleetResourceNames.apiVersion, kind: FleetResourceNames.fleetKind,
      namespace: objects.namespace, name: objects.fleetName)
    var lastError: KubeError? = nil
    for _ in 0..<5 {
      guard let fleet = try await objects.fleetIfInstalled() else {
        throw FleetStateStoreError.noFleet("Fleet \(objects.namespace)/\(objects.fleetName)")
      }
      var spec = fleet["spec"] ?? [:]
      change(&spec)
      guard spec != fleet["spec"] else { return }
      let resourceVersion = fleet[path: ["metadata", "resourceVersion"]] ?? .null
      do {
        _ = try await client.patch(
          reference, mergePatch: ["metadata": ["resourceVersion": resourceVersion], "spec": spec])
        return
      } catch {
        guard case .conflict = error else { throw error }
        lastError = error
      }
    }
    throw lastError ?? .conflict("\(reference) kept changing")
  }
}

/// Why a promotion was not written.
public enum PromotionRefusal: Error, Sendable, Hashable {
  case noRolloutInProgress
  case unknownWave(String, waves: [String])
  /// The rollout of this revision waits at no gate.
  case notAtGate(revision: String)
}
