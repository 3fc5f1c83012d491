import Foundation
import KubeClient
import LocalFleet
import Model
import Testing
import WavesyncTesting

extension LocalFleetSuites {
  /// Tests against one two-cluster fleet with a simulated kubelet per cluster.
  @Suite(.sharedFleet, .timeLimit(.minutes(10))) struct SharedFleetTests {}
}

extension LocalFleetSuites.SharedFleetTests {
  @Test func everyClusterAnswersOverVerifiedTLSOnItsOwnPort() async throws {
    let environment = try SharedFleet.environment
    let fleet = environment.fleet
    #expect(fleet.clusters == SharedFleet.clusters)
    var servers: Set<String> = []
    for cluster in fleet.clusters {
      let connection = fleet.connection(for: cluster)
      #expect(connection.name == cluster)
      #expect(connection.server.hasPrefix("https://127.0.0.1:"))
      #expect(!connection.insecureSkipTLSVerify)
      #expect(connection.certificateAuthorityData != nil)
      servers.insert(connection.server)

      let response = try await KubeClient(connection: connection).request("GET", "/version")
      #expect(response.status == 200)
      #expect(try JSON.decode(response.body)["gitVersion"]?.stringValue == "v1.20.2")
    }
    #expect(servers.count == fleet.clusters.count)
  }

  @Test func tlsIsVerifiedAndTheTokenChecked() async throws {
    let fleet = try SharedFleet.environment.fleet
    let connection = fleet.connection(for: "site-a")

    // Without the fleet's CA the server's certificate is not trusted.
    var untrusted = connection
    untrusted.certificateAuthorityData = nil
    await #expect(throws: KubeError.self) {
      _ = try await KubeClient(connection: untrusted, timeoutSeconds: 5).request("GET", "/version")
    }

    var wrongToken = connection
    wrongToken.bearerToken = KubeSecret("not-the-token")
    let response = try await KubeClient(connection: wrongToken).request("GET", "/version")
    #expect(response.status == 401)
  }

  @Test func theKubeconfigHasAContextPerCluster() throws {
    let fleet = try SharedFleet.environment.fleet
    let kubeconfig = try Kubeconfig.load(paths: [fleet.kubeconfigPath])
    #expect(Set(kubeconfig.contextNames) == Set(fleet.clusters))
    #expect(kubeconfig.currentContext == fleet.clusters.first)
    for cluster in fleet.clusters {
      #expect(try kubeconfig.connection(context: cluster) == fleet.connection(for: cluster))
    }
  }

  @Test func clustersAreIsolated() async throws {
    let environment = try SharedFleet.environment
    let siteA = environment.client("site-a")
    let siteB = environment.client("site-b")
    let name = uniqueName("isolated")
    _ = try await siteA.apply(Manifests.namespace(name), fieldManager: "localfleet-tests")
    let namespace = ObjectReference(apiVersion: "v1", kind: "Namespace", name: name)
    #expect(try await siteA.get(namespace) != nil)
    #expect(try await siteB.get(namespace) == nil)
    let inB = try await siteB.list(apiVersion: "v1", kind: "Namespace")
      .compactMap { $0[path: ["metadata", "name"]]?.stringValue }
    #expect(!inB.contains(name))
    #expect(inB.contains("default"))
  }
}
