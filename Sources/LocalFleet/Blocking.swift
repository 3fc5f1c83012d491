import Dispatch

/// Runs blocking work (waiting for a tool, or for processes to exit) on a Dispatch thread, so it
/// never holds a thread of Swift's small cooperative pool.
func blocking<T: Sendable>(
  _ work: @escaping @Sendable () throws(LocalFleetError) -> T
) async throws(LocalFleetError) -> T {
  let result: Result<T, LocalFleetError> = await withCheckedContinuation { continuation in
    DispatchQueue.global().async {
      continuation.resume(returning: Result { () throws(LocalFleetError) -> T in try work() })
    }
  }
  return try result.get()
}
