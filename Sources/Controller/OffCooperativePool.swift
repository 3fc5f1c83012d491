import Dispatch

/// Runs CPU-heavy or blocking work (rendering a revision) on a Dispatch thread, so it never
/// holds one of the few threads of Swift's cooperative pool that every task shares.
func offCooperativePool<T: Sendable>(
  _ work: @escaping @Sendable () throws -> T
) async throws -> T {
  let result: Result<T, any Error> = await withCheckedContinuation { continuation in
    DispatchQueue.global().async {
      continuation.resume(returning: Result { try work() })
    }
  }
  return try result.get()
}
