import Foundation
import Testing
import WavesyncTesting

@testable import KubeClient

/// Cancelled requests next to live ones: a cancellation that lands after its transfer finished
/// must not stop another transfer (curl handles are reused addresses), or that one would hang.
@Suite(.needsFleet) struct CancellationStressTests {
  @Test func cancellationsNeverStrandOtherRequests() async throws {
    let client = try await TestFleet.client()
    let finished = Counter()
    // Unstructured, so a stranded request shows up as a failed wait instead of a hung test.
    let work = Task {
      await withTaskGroup(of: Void.self) { group in
        for _ in 0..<2 {
          group.addTask {
            for _ in 0..<100 where (try? await client.request("GET", "/readyz")) != nil {
              finished.increment()
            }
          }
        }
        group.addTask {
          for index in 0..<200 {
            let request = Task { _ = try? await client.request("GET", "/readyz") }
            try? await Task.sleep(for: .microseconds(index % 7 * 300))
            request.cancel()
            _ = await request.value
          }
        }
      }
    }
    try await eventually("200 live requests finished") { note in
      note("\(finished.value) of 200")
      return finished.value == 200 ? () : nil
    }
    await work.value
    #expect(client.transport.inFlight.withLock { $0 } == 0)
  }
}

final class Counter: @unchecked Sendable {
  private let lock = NSLock()
  private var count = 0

  func increment() { lock.withLock { count += 1 } }
  var value: Int { lock.withLock { count } }
}
