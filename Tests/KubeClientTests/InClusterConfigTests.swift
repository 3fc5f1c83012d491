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

/// A token file is read again when it changes (the kubelet replaces a pod's token before it
/// expires); a change that leaves it empty or gone keeps the last token.
@Suite struct TokenFileTests {
  @Test func aReplacedTokenIsSentFromTheNextRequestOn() throws {
    let fixture = try KubeconfigFixture()
    let path = try fixture.write("sa/token", "first\n")
    try fixture.write("sa/ca.crt", "CA PEM")
    let connection = try Kubeconfig.inCluster(
      root: fixture.path + "/sa",
      environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"])
    #expect(connection.bearerToken == KubeSecret("first"))

    // As the kubelet does: a new file, swapped in by rename.
    let next = try fixture.write("sa/token.next", "second\n")
    try FileManager.default.removeItem(atPath: path)
    try FileManager.default.moveItem(atPath: next, toPath: path)
    #expect(connection.bearerToken == KubeSecret("second"))

    // Rewritten in place, a longer token.
    try Data("third-and-longer".utf8).write(to: URL(fileURLWithPath: path))
    #expect(connection.bearerToken == KubeSecret("third-and-longer"))

    try Data().write(to: URL(fileURLWithPath: path))
    #expect(connection.bearerToken == KubeSecret("third-and-longer"), "an empty file: kept")
    try FileManager.default.removeItem(atPath: path)
    #expect(connection.bearerToken == KubeSecret("third-and-longer"), "no file: kept")
    try Data("fourth".utf8).write(to: URL(fileURLWithPath: path))
    #expect(connection.bearerToken == KubeSecret("fourth"), "back: read again")
  }

  @Test func aKubeconfigsTokenFileIsReadAgainAndSettingATokenDropsIt() throws {
    let fixture = try KubeconfigFixture()
    let token = try fixture.write("token", "from-file")
    let path = try fixture.write(
      "config",
      """
      clusters: [{name: c, cluster: {server: "https://h:1"}}]
      users: [{name: u, user: {tokenFile: token}}]
      contexts: [{name: x, context: {cluster: c, user: u}}]
      current-context: x
      """)
    var connection = try Kubeconfig.load(paths: [path]).connection()
    try Data("rotated".utf8).write(to: URL(fileURLWithPath: token))
    #expect(connection.bearerToken == KubeSecret("rotated"))
    #expect(!"\(connection) \(String(reflecting: connection))".contains("rotated"))
    connection.bearerToken = KubeSecret("fixed")
    try Data("rotated-again".utf8).write(to: URL(fileURLWithPath: token))
    #expect(connection.bearerToken == KubeSecret("fixed"))
  }
}
