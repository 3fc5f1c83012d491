import Foundation

public struct TimedOut: Error, CustomStringConvertible {
  public var description: String
  public init(description: String) { self.description = description }
}

/// How long a test waits for something that should happen before calling it a hang. It is a
/// safety net, not an expectation: a busy machine may take many times longer than an idle one,
/// so tests never assert how fast something happens, only that it does (speed lives in the
/// benchmarks). `WAVESYNC_TEST_HANG_SECONDS` overrides it.
public let hangTimeout: Duration = .seconds(
  ProcessInfo.processInfo.environment["WAVESYNC_TEST_HANG_SECONDS"].flatMap(Int.init) ?? 300)

/// Polls `check` every `interval` until it returns a value; past `hangTimeout` it throws
/// `TimedOut` with the last state `check` saw (through `note`).
public func eventually<T: Sendable>(
  _ what: String, interval: Duration = .milliseconds(200),
  _ check: (_ note: (String) -> Void) async throws -> T?
) async throws -> T {
  let deadline = ContinuousClock.now + hangTimeout
  var last = "nothing seen"
  while true {
    if let value = try await check({ last = $0 }) { return value }
    guard ContinuousClock.now < deadline else {
      throw TimedOut(description: "\(what): not seen within \(hangTimeout); last seen: \(last)")
    }
    try await Task.sleep(for: interval)
  }
}

/// Polls `condition` every `interval` until it holds; past `hangTimeout` it throws `TimedOut`.
public func eventually(
  _ what: String, interval: Duration = .milliseconds(200), _ condition: () async throws -> Bool
) async throws {
  try await eventually(what, interval: interval) { _ in try await condition() ? () : nil }
}

/// A name no earlier test run used, for namespaces and groups.
public func uniqueName(_ prefix: String) -> String {
  "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
}
