import KubeClient

/// A simulated piece of a cluster (kubelet, provisioner, load balancer): an actor that reacts to
/// every event of one kind. `watchForever` is the loop they share: it runs until the task is
/// cancelled, and starts a broken watch (the API server restarting, say) again after a second.
protocol SimulatedController: Actor {
  var client: KubeClient { get }
  /// Keeps the last failure, for diagnosing a test; the controller carries on.
  func record(failure: String)
  /// One event of the watched kind (bookmarks are not passed on).
  func react(to event: WatchEvent) async
}

extension SimulatedController {
  func watchForever(apiVersion: String, kind: String, what: String) async throws {
    while !Task.isCancelled {
      do {
        for try await event in client.watch(apiVersion: apiVersion, kind: kind)
        where event.kind != .bookmark {
          await react(to: event)
        }
      } catch {
        if Task.isCancelled { break }
        record(failure: "watching \(what): \(error)")
      }
      try await Task.sleep(for: .seconds(1))
    }
    try Task.checkCancellation()
  }
}
