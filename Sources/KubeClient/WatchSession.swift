import Foundation
import Model

/// The loop behind one `watch` stream: connect, hand on events, resume or relist, give up
/// after a bounded run of failures.
struct WatchSession: Sendable {
  let client: KubeClient
  let apiVersion: String
  let kind: String
  let namespace: String?
  let labelSelector: String?
  let output: AsyncThrowingStream<WatchEvent, any Error>.Continuation

  /// How one connection ended.
  private enum Ending {
    /// The server closed the stream (its timeoutSeconds ran out) or the link dropped mid-way.
    case closed(events: Int)
    /// 410: the resourceVersion is older than the server keeps; list afresh.
    case gone
    case failed(KubeError, transient: Bool)
    /// The consumer went away or the task was cancelled.
    case stopped
  }

  private var subject: String {
    "watch of \(kind)" + (namespace.map { " in namespace \($0)" } ?? "")
  }

  func run(from resourceVersion: String?) async throws(KubeError) {
    let mapping = try await client.mapping(apiVersion: apiVersion, kind: kind)
    var state = WatchState(resourceVersion: resourceVersion)
    var failures = 0
    var lastError: KubeError?
    while !Task.isCancelled {
      if state.needsRelist {
        guard try await relist(&state) else { return }
      }
      let started = ContinuousClock.now
      switch await connect(mapping, &state) {
      case .stopped:
        return
      case .gone:
        state.needsRelist = true
        failures = 0
        continue
      case .closed(let events):
        // A stream that ends at once with nothing in it is a failure in disguise; backing off
        // keeps a misbehaving server from turning this into a hot loop.
        if events > 0 || ContinuousClock.now - started > .seconds(5) {
          failures = 0
          continue
        }
        failures += 1
        lastError = .server(
          code: 200, message: "\(client.connection.name): \(subject): stream ended at once")
      case .failed(let error, let transient):
        guard transient else { throw error }
        failures += 1
        lastError = error
      }
      if failures >= client.tuning.retry.attempts, let lastError { throw lastError }
      do {
        try await client.transport.backOff(after: failures)
      } catch {
        return
      }
    }
  }

  /// Lists afresh and reports what changed since the events already handed on. False when the
  /// consumer went away.
  private func relist(_ state: inout WatchState) async throws(KubeError) -> Bool {
    client.transport.logger.info("\(subject): resourceVersion expired, listing afresh")
    let (items, listVersion) = try await client.listWithVersion(
      apiVersion: apiVersion, kind: kind, namespace: namespace, labelSelector: labelSelector)
    state.needsRelist = false
    for event in state.reconcile(
      with: items, listVersion: listVersion, apiVersion: apiVersion, kind: kind)
    {
      if case .terminated = output.yield(event) { return false }
    }
    return true
  }

  private func connect(_ mapping: ResourceMapping, _ state: inout WatchState) async -> Ending {
    let serverTimeout = client.tuning.watchTimeoutSeconds()
    let path =
      ResourcePath.path(mapping, namespace: namespace)
      + URLQuery.string([
        ("watch", "true"), ("allowWatchBookmarks", "true"), ("labelSelector", labelSelector),
        ("resourceVersion", state.resourceVersion), ("timeoutSeconds", String(serverTimeout)),
      ])
    // The client-side limit only catches a link that died silently.
    let request = HTTPRequest(
      method: "GET", path: path, streaming: true, timeoutSeconds: Double(serverTimeout) + 30)
    let (lines, sink) = AsyncStream<Data>.makeStream()
    let transport = client.transport
    return await withTaskGroup(of: TransferOutcome.self) { group in
      group.addTask { await transport.perform(request, lineSink: sink) }
      var events = 0
      var ending: Ending?
      for await line in lines {
        switch handle(line, &state) {
        case .continue: events += 1
        case .end(let end): ending = end
        }
        if ending != nil { break }
      }
      if ending != nil { group.cancelAll() }
      let outcome = await group.next()!
      if let ending { return ending }
      return self.ending(of: outcome, events: events)
    }
  }

  private enum LineResult {
    case `continue`
    case end(Ending)
  }

  private func handle(_ line: Data, _ state: inout WatchState) -> LineResult {
    guard let frame = try? JSON.decode(line), let type = frame["type"]?.stringValue,
      let object = frame["object"]
    else {
      return .end(
        .failed(
          .server(code: 200, message: "\(client.connection.name): \(subject): unreadable event"),
          transient: true))
    }
    guard let kind = WatchEvent.Kind(rawValue: type) else {
      // ERROR carries a Status: 410 means the resourceVersion is too old.
      let status = APIStatus(
        response: KubeResponse(status: 500, body: Data(JSON.encode(object).utf8)))
      if status.code == 410 { return .end(.gone) }
      let error = status.error(cluster: client.connection.name, subject: subject)
      return .end(
        .failed(error, transient: TransientFailure.statusIsTransient(status.code, idempotent: true))
      )
    }
    let event = WatchEvent(kind: kind, object: object)
    state.record(event)
    if case .terminated = output.yield(event) { return .end(.stopped) }
    return .continue
  }

  private func ending(of outcome: TransferOutcome, events: Int) -> Ending {
    if outcome.cancelled || Task.isCancelled { return .stopped }
    if outcome.status == 410 { return .gone }
    if outcome.status == 200 { return .closed(events: events) }
    if outcome.status != 0 {
      let response = KubeResponse(status: outcome.status, body: outcome.body)
      return .failed(
        client.failure(response, subject: subject),
        transient: TransientFailure.statusIsTransient(outcome.status, idempotent: true))
    }
    return .failed(
      client.transport.failure(outcome),
      transient: TransientFailure.curlCodeIsTransient(outcome.curlCode, idempotent: true))
  }
}
