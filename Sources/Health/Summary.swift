extension Health {
  /// A site is healthy when all its objects are Current; failed when any is Failed.
  ///
  /// `Failed` when any object failed (the message names their reasons, most frequent first),
  /// else `InProgress` when any is in progress or unknown, else `Current` (also for no objects).
  public static func summarize(_ objects: [ObjectHealth]) -> ObjectHealth {
    let total = Int64(objects.count)
    let failed = objects.filter { $0.status == .failed }
    if !failed.isEmpty {
      return .failed(
        "ObjectsFailed",
        "\(failed.count) of \(counted(total, "object")) failed: \(reasons(of: failed))")
    }
    let inProgress = objects.filter { $0.status == .inProgress }
    let unknown = objects.filter { $0.status == .unknown }
    if !inProgress.isEmpty || !unknown.isEmpty {
      var parts: [String] = []
      if !inProgress.isEmpty {
        parts.append("\(inProgress.count) in progress (\(reasons(of: inProgress)))")
      }
      if !unknown.isEmpty {
        parts.append("\(unknown.count) unknown (\(reasons(of: unknown)))")
      }
      return .inProgress(
        "ObjectsInProgress",
        "\(objects.count - inProgress.count - unknown.count) of \(counted(total, "object")) "
          + "current, \(parts.joined(separator: " and "))")
    }
    if objects.isEmpty { return .current("NoObjects", "there are no objects to wait for") }
    return .current(
      "AllCurrent", total == 1 ? "the one object is current" : "all \(total) objects are current")
  }

  /// `CrashLoopBackOff x2, ProgressDeadlineExceeded`: each reason once, with how often it
  /// occurs when more than once, most frequent first (ties in order of appearance).
  private static func reasons(of objects: [ObjectHealth]) -> String {
    var order: [String] = []
    var counts: [String: Int] = [:]
    for object in objects {
      if counts[object.reason] == nil { order.append(object.reason) }
      counts[object.reason, default: 0] += 1
    }
    let ranked = order.enumerated().sorted { a, b in
      let (countA, countB) = (counts[a.element]!, counts[b.element]!)
      return countA != countB ? countA > countB : a.offset < b.offset
    }
    return ranked.map { entry in
      let count = counts[entry.element]!
      return count == 1 ? entry.element : "\(entry.element) x\(count)"
    }.joined(separator: ", ")
  }
}
