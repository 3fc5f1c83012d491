import Foundation
import KubeClient
import Testing

@Suite struct InClusterConfigTests {
  @Test func readsServiceAccountFolderAndEnvironment() throws {
    let fixture = try KubeconfigFixture()
    try fixture.write("sa/token", "pod-token\n")
    try fixture.write("sa/ca.crt", "CA PEM")
    try fixture.write("sa/namespace", "shop")
    let connection = try Kubeconfig.inCluster(
      root: fixture.path + "/sa",
      environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"])
    #expect(connection.server == "https://10.96.0.1:443")
    #expect(connection.bearerToken == KubeSecret("pod-token"))
    #expect(connection.certificateAuthorityData == Data("CA PEM".utf8))
    #expect(!connection.insecureSkipTLSVerify)

    let ipv6 = try Kubeconfig.inCluster(
      root: fixture.path + "/sa",
      environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"])
    #expect(ipv6.server == "https://[fd00::1]:443")
  }

  @Test func outsideAClusterIsABadConfig() throws {
    let fixture = try KubeconfigFixture()
    #expect(throws: KubeError.self) {
      try Kubeconfig.inCluster(root: fixture.path, environment: [:])
    }
    let error = try #require(throws: KubeError.self) {
      try Kubeconfig.inCluster(
        root: fixture.path + "/absent",
        environment: ["KUBERNETES_SERVICE_HOST": "h", "KUBERNETES_SERVICE_PORT": "1"])
    }
    #expect(error.description.contains(fixture.path + "/absent/token"))
  }
}
