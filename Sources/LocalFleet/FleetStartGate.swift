/// Lets one fleet of this process start at a time. Starting API servers takes most of two CPU
/// cores for several seconds; fleets started together only slow each other (and every other
/// request of the process) down, so they queue instead.
actor FleetStartGate {
  static let shared = FleetStartGate()

  private var busy = false
  private var waiting: [CheckedContinuation<Void, Never>] = []

  func acquire() async {
    guard busy else {
      busy = true
      return
    }
    await withCheckedContinuation { waiting.append($0) }
  }

  func release() {
    if waiting.isEmpty {
      busy = false
    } else {
      waiting.removeFirst().resume()
    }
  }

  /// Runs `body` holding the gate.
  func withGate<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
    await acquire()
    do {
      let result = try await body()
      release()
      return result
    } catch {
      release()
      throw error
    }
  }
}
