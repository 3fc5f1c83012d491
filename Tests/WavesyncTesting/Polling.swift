import Foundation

public struct TimedOut: Error, CustomStringConvertible {
  public var description: String
  public init(description: String) { self.description = description }
}

/// Polls `check` every `interval` until it returns a value, for at most `seconds`; the last
/// state `check` saw (through `note`) goes into the failure.
public func eventually<T: Sendable>(
  _ what: String, seconds: Double, interval: Duration = .milliseconds(250),
  _ check: (_ note: (String) -> Void) async throws -> T?
) async throws -> T {
  let deadline = ContinuousClock.now + .seconds(seconds)
  var last = "nothing seen"
  while true {
    if let value = try await check({ last = $0 }) { return value }
    guard ContinuousClock.now < deadline else {
      throw TimedOut(description: "\(what): not within \(Int(seconds)) s; last seen: \(last)")
    }
    try await Task.sleep(for: interval)
  }
}

/// A name no earlier test run used, for namespaces and groups.
public func uniqueName(_ prefix: String) -> String {
  "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
}
