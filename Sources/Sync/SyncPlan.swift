public import KubeClient
public import Model

/// The objects one app should have on a site.
public struct DesiredApp: Sendable {
  public var name: String
  public var objects: [Value]

  public init(name: String, objects: [Value]) {
    self.name = name
    self.objects = objects
  }
}

/// What a sync would do to one object.
public struct ObjectChange: Sendable {
  public enum Action: String, Sendable {
    case create, update, delete, unchanged
  }

  public var app: String
  public var reference: ObjectReference
  public var action: Action
  /// Unified diff from the live object to what the server would store (Secrets redacted);
  /// empty for unchanged objects.
  public var diff: String
  /// The object to apply (nil for deletions).
  public var desired: Value?
  /// Not dry-run yet: its namespace or CRD is created by the same sync.
  public var awaitsDependency: Bool
  /// Applied taking over fields from other managers (drift on an object Wavesync manages, or
  /// conflicts the user chose to force).
  public var force: Bool
}

/// Every change a sync of one site would make, computed without writing anything.
public struct SyncPlan: Sendable {
  public var site: String
  public var revision: String?
  public var changes: [ObjectChange]
  /// The inventories found on the site, by app.
  public var inventories: [String: Inventory]
  /// The inventories to store after the sync, by app (an app that is gone maps to nil).
  public var newInventories: [String: Inventory?]

  public var hasChanges: Bool {
    changes.contains { $0.action != .unchanged } || inventoriesChange
  }

  var inventoriesChange: Bool { newInventories.keys.contains(where: inventoryChanges) }

  /// Whether the inventory stored for `app` after the sync differs from the one found.
  func inventoryChanges(for app: String) -> Bool {
    guard let new = newInventories[app] else { return false }
    guard let new else { return inventories[app] != nil }
    guard let old = inventories[app] else { return true }
    return Set(old.objects) != Set(new.objects) || old.revision != new.revision
  }

  public func changes(_ action: ObjectChange.Action) -> [ObjectChange] {
    changes.filter { $0.action == action }
  }
}

/// What a sync did.
public struct SyncResult: Sendable {
  public var applied: [ObjectReference]
  public var deleted: [ObjectReference]
  public var unchanged: Int
}
