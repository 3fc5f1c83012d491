internal import Foundation
public import KubeClient
import Model

/// Diff, apply and prune for one site, through server-side apply with Wavesync's field manager.
///
/// The rules, in order:
/// - Every desired object is first applied as a dry run; what the server would store is compared
///   with what it stores now, both without server-owned fields, so defaults never show as
///   changes. Nothing is written until every object passed its dry run (objects whose namespace
///   or CRD the same sync creates are checked right after those are created).
/// - Only objects that differ are applied: a sync with nothing to change writes nothing.
/// - Drift is corrected: on an object Wavesync applied before (it is in the site's inventory), a
///   field someone changed by hand is taken back, whoever changed it. On an object Wavesync has
///   not applied yet, a field another manager owns is a conflict, reported unless the sync is
///   told to force it.
/// - CRDs go first (and are waited for until Established), then Namespaces, then the rest.
/// - Pruning deletes only objects recorded in an inventory of this site (so only objects
///   Wavesync applied), and only when no desired object of any app claims them.
/// - The inventory grows before objects are applied and shrinks after they are deleted, so a
///   crash in between leaves nothing unrecorded.
public struct SiteSync: Sendable {
  public let site: String
  public let client: KubeClient
  public let fieldManager: String

  public init(site: String, client: KubeClient, fieldManager: String = "wavesync") {
    self.site = site
    self.client = client
    self.fieldManager = fieldManager
  }

  // MARK: - Plan

  public func plan(
    _ apps: [DesiredApp], revision: String? = nil, prune: Bool = true, forceConflicts: Bool = false
  ) async throws(SyncError) -> SyncPlan {
    let inventories = try await inventories()
    let creates = Set(
      apps.flatMap(\.objects).compactMap { object -> String? in
        let kind = object["kind"]?.stringValue
        if kind == "Namespace" {
          return "ns/" + (object[path: ["metadata", "name"]]?.stringValue ?? "")
        }
        if kind == "CustomResourceDefinition" {
          guard let group = object[path: ["spec", "group"]]?.stringValue,
            let definedKind = object[path: ["spec", "names", "kind"]]?.stringValue
          else { return nil }
          return "crd/" + group + "/" + definedKind
        }
        return nil
      })
    let managed = Set(inventories.values.flatMap(\.objects))
    var changes: [ObjectChange] = []
    var desiredReferences: Set<ObjectReference> = []
    var newInventories: [String: Inventory?] = [:]
    for app in apps {
      var references: [ObjectReference] = []
      for original in app.objects {
        let object = ApplyDefaults.fill(original)
        let reference = try Self.reference(of: object)
        references.append(reference)
        desiredReferences.insert(reference)
        changes.append(
          try await change(
            for: object, reference: reference, app: app.name,
            force: forceConflicts || managed.contains(reference), createdHere: creates))
      }
      newInventories[app.name] = Inventory(app: app.name, objects: references, revision: revision)
    }
    if prune {
      for (app, inventory) in inventories.sorted(by: { $0.key < $1.key }) {
        if newInventories[app] == nil { newInventories[app] = .some(nil) }
        for reference in inventory.objects where !desiredReferences.contains(reference) {
          guard let live = try await get(reference) else { continue }
          let redacted = SecretRedaction.redact(LiveObjectNormalizer.normalize(live))
          changes.append(
            ObjectChange(
              app: app, reference: reference, action: .delete,
              diff: UnifiedDiff.lines(from: YAML.emit(redacted, sortKeys: true), to: ""),
              desired: nil,
              awaitsDependency: false, force: false))
        }
      }
    } else {
      // Without pruning, objects left out stay recorded, so a later prune still finds them.
      for (app, inventory) in inventories {
        let kept = inventory.objects.filter { !desiredReferences.contains($0) }
        let current = newInventories[app].flatMap { $0 }?.objects ?? []
        newInventories[app] = Inventory(app: app, objects: current + kept, revision: revision)
      }
    }
    return SyncPlan(
      site: site, revision: revision, changes: changes, inventories: inventories,
      newInventories: newInventories)
  }

  private func change(
    for object: Value, reference: ObjectReference, app: String, force: Bool,
    createdHere: Set<String>
  ) async throws(SyncError) -> ObjectChange {
    let awaiting = ObjectChange(
      app: app, reference: reference, action: .create,
      diff: UnifiedDiff.lines(
        from: "", to: YAML.emit(SecretRedaction.redact(object), sortKeys: true)),
      desired: object, awaitsDependency: true, force: force)
    let live: Value?
    let predicted: Value
    do {
      live = try await client.get(reference)
      predicted = try await client.apply(
        object, fieldManager: fieldManager, force: force, dryRun: true)
    } catch {
      // Its namespace or CRD does not exist yet, but this sync creates it: checked later.
      if dependsOnCreation(reference, error: error, createdHere: createdHere) { return awaiting }
      throw classify(error, reference: reference, dryRun: true)
    }
    let after = LiveObjectNormalizer.normalize(predicted)
    guard let live else {
      return ObjectChange(
        app: app, reference: reference, action: .create,
        diff: UnifiedDiff.lines(
          from: "", to: YAML.emit(SecretRedaction.redact(after), sortKeys: true)),
        desired: object, awaitsDependency: false, force: force)
    }
    let before = LiveObjectNormalizer.normalize(live)
    if before == after {
      return ObjectChange(
        app: app, reference: reference, action: .unchanged, diff: "", desired: object,
        awaitsDependency: false,
        force: force)
    }
    let (shownBefore, shownAfter) = SecretRedaction.redact(old: before, new: after)
    return ObjectChange(
      app: app, reference: reference, action: .update,
      diff: UnifiedDiff.lines(
        from: YAML.emit(shownBefore ?? before, sortKeys: true),
        to: YAML.emit(shownAfter ?? after, sortKeys: true)),
      desired: object, awaitsDependency: false, force: force)
  }

  /// A dry run that failed only because the object's namespace or CRD does not exist yet, while
  /// the same sync creates it.
  private func dependsOnCreation(
    _ reference: ObjectReference, error: KubeError, createdHere: Set<String>
  ) -> Bool {
    switch error {
    case .notFound:
      return reference.namespace.map { createdHere.contains("ns/" + $0) } ?? false
    case .unknownKind(let apiVersion, let kind):
      let group = apiVersion.split(separator: "/").dropLast().first.map(String.init) ?? ""
      return createdHere.contains("crd/" + group + "/" + kind)
    default:
      return false
    }
  }

  // MARK: - Apply

  public func apply(_ plan: SyncPlan, forceConflicts: Bool = false) async throws(SyncError)
    -> SyncResult
  {
    var applied: [ObjectReference] = []
    let pending = plan.changes.filter { $0.action == .create || $0.action == .update }
    if !pending.isEmpty || plan.inventoriesChange {
      try await ensureInventoryNamespace()
      // Grow first: everything about to be applied is recorded before it exists.
      for (app, inventory) in plan.newInventories.sorted(by: { $0.key < $1.key }) {
        guard let inventory else { continue }
        let known = plan.inventories[app]?.objects ?? []
        let grown = Inventory(
          app: app,
          objects: Array(Set(known + inventory.objects)).sorted { $0.description < $1.description },
          revision: plan.inventories[app]?.revision)
        if Set(grown.objects) != Set(known) { try await write(grown) }
      }
    }
    let phases: [(ObjectChange) -> Bool] = [
      { $0.reference.kind == "CustomResourceDefinition" },
      { $0.reference.kind == "Namespace" },
      { $0.reference.kind != "CustomResourceDefinition" && $0.reference.kind != "Namespace" },
    ]
    for (index, inPhase) in phases.enumerated() {
      let batch = pending.filter(inPhase)
      // Objects that waited for a namespace or CRD get their dry run now, before any write.
      for change in batch where change.awaitsDependency {
        do {
          _ = try await client.apply(
            change.desired!, fieldManager: fieldManager, force: change.force || forceConflicts,
            dryRun: true)
        } catch {
          throw classify(error, reference: change.reference, dryRun: true)
        }
      }
      for change in batch {
        do {
          _ = try await client.apply(
            change.desired!, fieldManager: fieldManager, force: change.force || forceConflicts)
        } catch {
          throw classify(error, reference: change.reference, dryRun: false)
        }
        applied.append(change.reference)
      }
      if index == 0 { try await waitEstablished(batch.map(\.reference)) }
    }
    var deleted: [ObjectReference] = []
    // Delete in reverse dependency order: workloads before namespaces and CRDs.
    for change in plan.changes(.delete).reversed().sorted(by: {
      Self.deletionRank($0) < Self.deletionRank($1)
    }) {
      do {
        if try await client.delete(change.reference) { deleted.append(change.reference) }
      } catch {
        throw classify(error, reference: change.reference, dryRun: false)
      }
    }
    // Shrink last.
    for (app, inventory) in plan.newInventories.sorted(by: { $0.key < $1.key }) {
      if let inventory {
        if plan.inventoryChanges(for: app) { try await write(inventory) }
      } else if let old = plan.inventories[app] {
        // Its objects are gone already; a failure here leaves an empty record the next sync
        // deletes again, but is still reported.
        do {
          _ = try await client.delete(old.reference)
        } catch {
          throw classify(error, reference: old.reference, dryRun: false)
        }
      }
    }
    return SyncResult(applied: applied, deleted: deleted, unchanged: plan.changes(.unchanged).count)
  }

  private static func deletionRank(_ change: ObjectChange) -> Int {
    switch change.reference.kind {
    case "Namespace": 1
    case "CustomResourceDefinition": 2
    default: 0
    }
  }

  private func waitEstablished(_ crds: [ObjectReference]) async throws(SyncError) {
    for crd in crds {
      for _ in 0..<60 {
        let live = try await get(crd)
        let conditions = live?[path: ["status", "conditions"]]?.arrayValue ?? []
        if conditions.contains(where: { $0["type"] == "Established" && $0["status"] == "True" }) {
          break
        }
        try? await Task.sleep(for: .milliseconds(250))
      }
    }
  }

  // MARK: - Inventory

  /// The inventories stored on the site, by app.
  public func inventories() async throws(SyncError) -> [String: Inventory] {
    let configMaps: [Value]
    do {
      configMaps = try await client.list(
        apiVersion: "v1", kind: "ConfigMap", namespace: Inventory.namespace,
        labelSelector: "\(Inventory.managedByLabel)=wavesync")
    } catch .notFound {
      return [:]
    } catch {
      throw classify(error, reference: nil, dryRun: false)
    }
    var result: [String: Inventory] = [:]
    for configMap in configMaps {
      guard let app = configMap[path: ["metadata", "labels", "wavesync.io/app"]]?.stringValue else {
        continue
      }
      result[app] = try Inventory(app: app, configMap: configMap)
    }
    return result
  }

  private func write(_ inventory: Inventory) async throws(SyncError) {
    do {
      _ = try await client.apply(inventory.configMap, fieldManager: fieldManager, force: true)
    } catch {
      throw classify(error, reference: inventory.reference, dryRun: false)
    }
  }

  private func ensureInventoryNamespace() async throws(SyncError) {
    let namespace = ObjectReference(
      apiVersion: "v1", kind: "Namespace", namespace: nil, name: Inventory.namespace)
    guard try await get(namespace) == nil else { return }
    do {
      _ = try await client.apply(
        [
          "apiVersion": "v1", "kind": "Namespace",
          "metadata": ["name": .string(Inventory.namespace)],
        ],
        fieldManager: fieldManager)
    } catch {
      throw classify(error, reference: namespace, dryRun: false)
    }
  }

  // MARK: - Helpers

  private func get(_ reference: ObjectReference) async throws(SyncError) -> Value? {
    do {
      return try await client.get(reference)
    } catch {
      throw classify(error, reference: reference, dryRun: false)
    }
  }

  static func reference(of object: Value) throws(SyncError) -> ObjectReference {
    do {
      return try ObjectReference(of: object)
    } catch {
      throw .invalidObject("\(error)")
    }
  }

  private func classify(_ error: KubeError, reference: ObjectReference?, dryRun: Bool) -> SyncError
  {
    let object = reference?.description ?? "inventory"
    switch error {
    case .unreachable, .timeout: return .unreachable(site: site, reason: error)
    case .conflict(let message): return .conflict(site: site, object: object, message: message)
    case .invalid, .forbidden, .unknownKind, .notFound:
      return dryRun
        ? .rejected(site: site, object: object, reason: error)
        : .failed(site: site, object: object, reason: error)
    default: return .failed(site: site, object: object, reason: error)
    }
  }
}
