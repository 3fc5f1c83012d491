import Foundation
import Logging
import Synchronization

/// Sends requests to one cluster over libcurl: retries transient failures, counts bytes, and
/// turns curl failures into `KubeError`s that name the cluster.
final class Transport: Sendable {
  let settings: TransportSettings
  let retry: RetryPolicy
  let logger: Logger
  let stats = Mutex(TransferStats())
  /// Transfers curl is working on for this client right now (tests check that cancelling a
  /// watch lets go of its connection).
  let inFlight = Mutex(0)

  init(settings: TransportSettings, retry: RetryPolicy, logger: Logger) {
    self.settings = settings
    self.retry = retry
    var logger = logger
    logger[metadataKey: "cluster"] = "\(settings.connection.name)"
    self.logger = logger
  }

  var clusterName: String { settings.connection.name }

  /// The response to `request`, whatever its status, after retrying transient failures.
  /// Throws only when no usable answer came: unreachable, timed out, cancelled.
  func send(_ request: HTTPRequest) async throws(KubeError) -> KubeResponse {
    var attempt = 1
    while true {
      let outcome = await perform(request, lineSink: nil)
      let last = attempt >= retry.attempts
      if outcome.cancelled { throw cancelled(request) }
      if !outcome.succeeded {
        guard !last,
          TransientFailure.curlCodeIsTransient(
            outcome.curlCode, idempotent: request.isIdempotent)
        else { throw failure(outcome) }
        try await pause(request, attempt: attempt, reason: outcome.curlMessage, retryAfter: nil)
      } else if !last,
        TransientFailure.statusIsTransient(outcome.status, idempotent: request.isIdempotent)
      {
        try await pause(
          request, attempt: attempt, reason: "HTTP \(outcome.status)",
          retryAfter: TransientFailure.retryAfter(outcome.headers))
      } else {
        return KubeResponse(status: outcome.status, body: outcome.body, headers: outcome.headers)
      }
      attempt += 1
    }
  }

  /// One exchange, no retries. A streaming request hands a 200 body to `lineSink` line by line.
  /// Cancelling the calling task stops the transfer.
  func perform(_ request: HTTPRequest, lineSink: AsyncStream<Data>.Continuation?) async
    -> TransferOutcome
  {
    // First: the loop's setup runs curl_global_init before any handle exists.
    let loop = CurlEventLoop.shared
    let transfer: CurlTransfer
    do {
      transfer = try CurlTransfer(request: request, settings: settings, lineSink: lineSink)
    } catch {
      lineSink?.finish()
      return TransferOutcome(curlCode: 2, curlMessage: error.message)
    }
    let started = ContinuousClock.now
    inFlight.withLock { $0 += 1 }
    let outcome = await withTaskCancellationHandler {
      await withCheckedContinuation { (continuation: CheckedContinuation<TransferOutcome, Never>) in
        transfer.onCompletion { continuation.resume(returning: $0) }
        loop.start(transfer)
      }
    } onCancel: {
      loop.cancel(transfer)
    }
    inFlight.withLock { $0 -= 1 }
    record(request, outcome)
    logger.debug(
      "\(request.summary) -> \(outcome.status == 0 ? outcome.curlMessage : String(outcome.status))",
      metadata: ["elapsed": "\(ContinuousClock.now - started)"])
    return outcome
  }

  /// Counts an exchange that reached the server: the request went out or an answer came back.
  private func record(_ request: HTTPRequest, _ outcome: TransferOutcome) {
    guard outcome.status != 0 || outcome.bytesSent > 0 else { return }
    stats.withLock { stats in
      stats.requests += 1
      if request.isWrite { stats.writeRequests += 1 }
      stats.bytesSent += outcome.bytesSent
      stats.bytesReceived += outcome.bytesReceived
    }
  }

  private func pause(
    _ request: HTTPRequest, attempt: Int, reason: String, retryAfter: Double?
  ) async throws(KubeError) {
    logger.notice(
      "retrying \(request.summary) after \(reason) (try \(attempt + 1) of \(retry.attempts))")
    do {
      try await backOff(after: attempt, retryAfter: retryAfter)
    } catch {
      throw cancelled(request)
    }
  }

  /// Counts a retry and waits as the retry policy says before it; throws when cancelled.
  func backOff(after attempt: Int, retryAfter: Double? = nil) async throws {
    stats.withLock { $0.retries += 1 }
    try await retry.wait(after: attempt, retryAfter: retryAfter)
  }

  /// A transfer that got no HTTP answer.
  func failure(_ outcome: TransferOutcome) -> KubeError {
    if TransientFailure.isTimeout(outcome.curlCode) { return .timeout(cluster: clusterName) }
    return .unreachable(cluster: clusterName, reason: outcome.curlMessage)
  }

  func cancelled(_ request: HTTPRequest) -> KubeError {
    .unreachable(cluster: clusterName, reason: "\(request.summary) was cancelled")
  }
}
