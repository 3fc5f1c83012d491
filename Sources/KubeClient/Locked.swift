import Foundation

/// A value behind a lock, for the few bits of state shared across threads (stats, caches).
/// `Synchronization.Mutex` would do, but needs macOS 15 and the package targets macOS 14.
final class Locked<State>: @unchecked Sendable {
  private let lock = NSLock()
  private var state: State

  init(_ state: State) { self.state = state }

  func withLock<T>(_ body: (inout State) throws -> T) rethrows -> T {
    lock.lock()
    defer { lock.unlock() }
    return try body(&state)
  }

  var value: State { withLock { $0 } }
}
