import Sync

/// How a sync plan reads on a terminal: one line per object that changes, with its diff.
enum SyncReport {
  static func describe(_ plan: SyncPlan, showDiffs: Bool) -> String {
    var out = ""
    for change in plan.changes where change.action != .unchanged {
      let verb =
        switch change.action {
        case .create: "created"
        case .update: "changed"
        case .delete: "deleted"
        case .unchanged: "unchanged"
        }
      out += "\(plan.site): \(verb) \(change.reference) (app \(change.app))\n"
      if showDiffs { out += change.diff }
    }
    let counts = [
      (ObjectChange.Action.create, "to create"), (.update, "to change"), (.delete, "to delete"),
      (.unchanged, "unchanged"),
    ].map { action, label in "\(plan.changes(action).count) \(label)" }
    out += "\(plan.site): \(counts.joined(separator: ", "))\n"
    return out
  }
}
