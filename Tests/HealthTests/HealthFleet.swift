import Foundation
import KubeClient
import LocalFleet
import Testing

/// One one-cluster fleet with a simulated kubelet for every live test of this target, started
/// once around `LiveHealthTests` (`@Suite(.healthFleet)`) and stopped after it; tests reach it
/// through `HealthFleet.environment`. Everything listens on 127.0.0.1.
struct HealthFleet: SuiteTrait, TestScoping {
  static let cluster = "health"

  struct Environment: Sendable {
    var fleet: EnvtestFleet
    var kubelet: SimulatedKubelet

    var client: KubeClient { fleet.client(for: HealthFleet.cluster) }
  }

  @TaskLocal static var current: Environment?

  static var environment: Environment {
    get throws { try #require(current, "the suite needs the .healthFleet trait") }
  }

  var isRecursive: Bool { false }

  func provideScope(
    for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
  ) async throws {
    let fleet = try await EnvtestFleet.start(clusters: [Self.cluster])
    let kubelet = SimulatedKubelet(client: fleet.client(for: Self.cluster))
    let task = kubelet.start()
    do {
      try await Self.$current.withValue(Environment(fleet: fleet, kubelet: kubelet)) {
        try await function()
      }
    } catch {
      task.cancel()
      await fleet.stopInBackground()
      throw error
    }
    task.cancel()
    await fleet.stopInBackground()
  }
}

extension Trait where Self == HealthFleet {
  static var healthFleet: Self { HealthFleet() }
}
