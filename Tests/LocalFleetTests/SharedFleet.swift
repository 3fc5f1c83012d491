import Foundation
import KubeClient
import LocalFleet
import Testing

/// One two-cluster fleet with a simulated kubelet per cluster, started once around a suite
/// (`@Suite(.sharedFleet)`) and stopped after it; tests reach it through `SharedFleet.current`.
struct SharedFleet: SuiteTrait, TestScoping {
  static let clusters = ["site-a", "site-b"]

  struct Environment: Sendable {
    var fleet: EnvtestFleet
    var kubelets: [String: SimulatedKubelet]

    func client(_ cluster: String) -> KubeClient { fleet.client(for: cluster) }
  }

  @TaskLocal static var current: Environment?

  static var environment: Environment {
    get throws { try #require(current, "the suite needs the .sharedFleet trait") }
  }

  var isRecursive: Bool { false }

  func provideScope(
    for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
  ) async throws {
    let fleet = try await EnvtestFleet.start(clusters: Self.clusters)
    var kubelets: [String: SimulatedKubelet] = [:]
    var tasks: [Task<Void, any Error>] = []
    for cluster in Self.clusters {
      let kubelet = SimulatedKubelet(client: fleet.client(for: cluster))
      kubelets[cluster] = kubelet
      tasks.append(kubelet.start())
    }
    do {
      try await Self.$current.withValue(Environment(fleet: fleet, kubelets: kubelets)) {
        try await function()
      }
    } catch {
      for task in tasks { task.cancel() }
      await fleet.stopInBackground()
      throw error
    }
    for task in tasks { task.cancel() }
    await fleet.stopInBackground()
  }
}

extension Trait where Self == SharedFleet {
  static var sharedFleet: Self { SharedFleet() }
}
