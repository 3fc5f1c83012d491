import Dispatch
import Foundation

/// Runs blocking libgit2 work off Swift's cooperative thread pool.
///
/// Each repository path gets one serial DispatchQueue, so two values working on the same cache
/// never run libgit2 on one repository at once, and a slow fetch only occupies a Dispatch thread.
enum BlockingWork {
  private static let lock = NSLock()
  // Guarded by `lock`; a plain global dictionary is the simplest registry.
  nonisolated(unsafe) private static var queues: [String: DispatchQueue] = [:]

  static func queue(for path: String) -> DispatchQueue {
    lock.lock()
    defer { lock.unlock() }
    if let queue = queues[path] { return queue }
    let queue = DispatchQueue(label: "wavesync.git-source \(path)")
    queues[path] = queue
    return queue
  }

  static func run<T: Sendable>(
    on path: String, _ work: @escaping @Sendable () throws(GitSourceError) -> T
  ) async throws(GitSourceError) -> T {
    let result: Result<T, GitSourceError> = await withCheckedContinuation { continuation in
      queue(for: path).async {
        continuation.resume(returning: Result { () throws(GitSourceError) -> T in try work() })
      }
    }
    return try result.get()
  }
}
