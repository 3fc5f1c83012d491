/// A PersistentVolumeClaim is current once bound to a volume and failed when that volume is lost.
enum PVCHealth {
  static func health(of claim: LiveObject) -> ObjectHealth {
    let volume = claim.string("spec", "volumeName")
    switch claim.string("status", "phase") {
    case "Bound":
      let capacity = claim.string("status", "capacity", "storage").map { " with \($0)" } ?? ""
      return .current("Bound", "bound to volume \(volume ?? "?")\(capacity)")
    case "Lost":
      return .failed(
        "ClaimLost", "the volume \(volume ?? "?") the claim was bound to no longer exists")
    case let phase:
      let request =
        claim.string("spec", "resources", "requests", "storage").map { " of \($0)" } ?? ""
      return .inProgress(
        "ClaimPending",
        "waiting for a volume\(request) to bind (phase \(phase ?? "not reported yet"))")
    }
  }
}
