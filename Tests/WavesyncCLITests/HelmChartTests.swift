import Foundation
import Model
import Testing
import WavesyncTesting

/// charts/wavesync as Helm's own engine reads it: lint clean, values checked by its schema, the
/// values reaching the controller's arguments and the RBAC switches.
@Suite struct HelmChartTests {
  static func render(_ values: [String: String] = [:]) async throws -> [Value] {
    try await HelmChart.render(release: "edge", namespace: "wavesync-eu", values: values)
  }

  @Test func lintsCleanWithItsDefaultsAndRefusesAValueOfTheWrongType() async throws {
    let clean = try await HelmChart.lint()
    #expect(clean.status == 0, "\(clean)")
    let wrong = try await HelmChart.lint(values: ["replicaCount": #""two""#])
    #expect(wrong.status != 0, "\(wrong)")
    #expect((wrong.output + wrong.errors).contains("replicaCount"), "\(wrong)")
    let misspelt = try await HelmChart.lint(values: ["replicas": "2"])
    #expect(misspelt.status != 0, "an unknown value is a typo, not ignored: \(misspelt)")
  }

  @Test func valuesBecomeTheControllersArguments() async throws {
    let defaults = try HelmChart.containerArguments(try await Self.render())
    #expect(defaults.first == "controller")
    #expect(defaults.contains("--namespace=wavesync-eu"))
    #expect(defaults.contains("--identity=$(POD_NAME)"))
    #expect(!defaults.contains { $0.hasPrefix("--fleet") }, "every Fleet of the namespace")

    let named = try HelmChart.containerArguments(
      try await Self.render([
        "fleets": #"["emea", "emea-lab"]"#, "tickInterval": "5", "extraArgs": #"["--x"]"#,
      ]))
    #expect(named.filter { $0.hasPrefix("--fleet=") } == ["--fleet=emea", "--fleet=emea-lab"])
    #expect(named.contains("--tick-interval=5"))
    #expect(named.last == "--x")
  }

  @Test func rbacAndTheServiceAccountCanBeLeftToTheCluster() async throws {
    let full = try await Self.render()
    let role = try #require(full.first { $0["kind"] == "Role" })
    #expect(role[path: ["metadata", "namespace"]] == "wavesync-eu")
    #expect(full.filter { $0["kind"] == "ClusterRole" }.count == 2)

    let bare = try await Self.render([
      "rbac.create": "false", "serviceAccount.create": "false",
      "serviceAccount.name": #""fleet-controller""#,
    ])
    #expect(bare.compactMap { $0["kind"]?.stringValue }.sorted() == ["Deployment"])
    let deployment = try #require(bare.first)
    #expect(
      deployment[path: ["spec", "template", "spec", "serviceAccountName"]] == "fleet-controller")
  }
}
