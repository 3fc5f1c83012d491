import Foundation
import KubeClient
import Testing

@Suite struct KubeconfigTests {
  let caPEM = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n"
  let certPEM = "-----BEGIN CERTIFICATE-----\nCLIENT\n-----END CERTIFICATE-----\n"
  let keyPEM = "-----BEGIN PRIVATE KEY-----\nKEY-MATERIAL\n-----END PRIVATE KEY-----\n"

  @Test func inlineDataFieldsAndToken() throws {
    let fixture = try KubeconfigFixture()
    let path = try fixture.write(
      "config",
      """
      apiVersion: v1
      kind: Config
      current-context: edge
      clusters:
      - name: edge-cluster
        cluster:
          server: https://127.0.0.1:6443
          certificate-authority-data: \(KubeconfigFixture.base64(caPEM))
      users:
      - name: admin
        user:
          client-certificate-data: \(KubeconfigFixture.base64(certPEM))
          client-key-data: \(KubeconfigFixture.base64(keyPEM))
          token: s3cr3t-token
      contexts:
      - name: edge
        context: {cluster: edge-cluster, user: admin, namespace: shop}
      """)
    let config = try Kubeconfig.load(paths: [path])
    #expect(config.currentContext == "edge")
    #expect(config.contextNames == ["edge"])
    let connection = try config.connection()
    #expect(connection.name == "edge")
    #expect(connection.server == "https://127.0.0.1:6443")
    #expect(connection.certificateAuthorityData == Data(caPEM.utf8))
    #expect(connection.clientCertificateData == Data(certPEM.utf8))
    #expect(connection.clientKeyData == KubeSecret(keyPEM))
    #expect(connection.bearerToken == KubeSecret("s3cr3t-token"))
    #expect(connection.insecureSkipTLSVerify == false)
    #expect(try config.namespace() == "shop")
  }

  @Test func filesResolveAgainstTheKubeconfigFolder() throws {
    let fixture = try KubeconfigFixture()
    try fixture.write("kube/pki/ca.crt", caPEM)
    try fixture.write("kube/pki/client.crt", certPEM)
    try fixture.write("kube/pki/client.key", keyPEM)
    try fixture.write("kube/token", "file-token\n")
    let path = try fixture.write(
      "kube/config",
      """
      clusters:
      - name: c
        cluster: {server: "https://10.0.0.1:6443", certificate-authority: pki/ca.crt}
      users:
      - name: u
        user:
          client-certificate: pki/client.crt
          client-key: \(fixture.path)/kube/pki/client.key
          tokenFile: token
      contexts:
      - name: ctx
        context: {cluster: c, user: u}
      """)
    let connection = try Kubeconfig.load(paths: [path]).connection(context: "ctx")
    #expect(connection.certificateAuthorityData == Data(caPEM.utf8))
    #expect(connection.clientCertificateData == Data(certPEM.utf8))
    #expect(connection.clientKeyData == KubeSecret(keyPEM))
    // The file's trailing newline is not part of the token, as in client-go.
    #expect(connection.bearerToken == KubeSecret("file-token"))
  }

  @Test func tokenFileWinsOverTokenAsInClientGo() throws {
    let fixture = try KubeconfigFixture()
    try fixture.write("token", "from-file")
    let path = try fixture.write(
      "config",
      """
      clusters: [{name: c, cluster: {server: "https://h:1"}}]
      users: [{name: u, user: {token: inline, tokenFile: token}}]
      contexts: [{name: x, context: {cluster: c, user: u}}]
      current-context: x
      """)
    #expect(try Kubeconfig.load(paths: [path]).connection().bearerToken == KubeSecret("from-file"))

    // An unreadable tokenFile falls back to token; without one it is an error naming the path.
    let fallback = try fixture.write(
      "fallback",
      """
      clusters: [{name: c, cluster: {server: "https://h:1"}}]
      users: [{name: u, user: {token: inline, tokenFile: gone}}, {name: v, user: {tokenFile: gone}}]
      contexts: [{name: x, context: {cluster: c, user: u}}, {name: z, context: {cluster: c, user: v}}]
      """)
    let config = try Kubeconfig.load(paths: [fallback])
    #expect(try config.connection(context: "x").bearerToken == KubeSecret("inline"))
    let error = try #require(throws: KubeError.self) { try config.connection(context: "z") }
    #expect(error.description.contains(fixture.path + "/gone"))
    #expect(error.description.contains("tokenFile"))
  }

  @Test func insecureSkipTLSVerifyOnlyWhenSet() throws {
    let fixture = try KubeconfigFixture()
    let path = try fixture.write(
      "config",
      """
      clusters:
      - {name: a, cluster: {server: "https://a:1", insecure-skip-tls-verify: true}}
      - {name: b, cluster: {server: "https://b:1"}}
      contexts:
      - {name: a, context: {cluster: a}}
      - {name: b, context: {cluster: b}}
      """)
    let config = try Kubeconfig.load(paths: [path])
    #expect(try config.connection(context: "a").insecureSkipTLSVerify)
    #expect(try !config.connection(context: "b").insecureSkipTLSVerify)
    // A context without a user sends no credentials.
    #expect(try config.connection(context: "a").bearerToken == nil)
  }

  @Test func kubeconfigListMergesFirstFileWins() throws {
    let fixture = try KubeconfigFixture()
    try fixture.write("second/ca.crt", caPEM)
    let first = try fixture.write(
      "first/config",
      """
      current-context: shared
      clusters:
      - {name: shared-cluster, cluster: {server: "https://first:6443"}}
      users:
      - {name: shared-user, user: {token: first-token}}
      contexts:
      - {name: shared, context: {cluster: shared-cluster, user: shared-user}}
      """)
    let second = try fixture.write(
      "second/config",
      """
      current-context: only-second
      clusters:
      - {name: shared-cluster, cluster: {server: "https://second:6443"}}
      - {name: second-cluster, cluster: {server: "https://second-only:6443", certificate-authority: ca.crt}}
      users:
      - {name: shared-user, user: {token: second-token}}
      contexts:
      - {name: shared, context: {cluster: second-cluster, user: shared-user}}
      - {name: only-second, context: {cluster: second-cluster, user: shared-user}}
      """)
    let missing = fixture.path + "/does-not-exist"
    let config = try Kubeconfig.loadDefault(environment: [
      "KUBECONFIG": "\(first)::\(missing):\(second)", "HOME": fixture.path,
    ])
    #expect(config.currentContext == "shared")
    #expect(config.contextNames == ["shared", "only-second"])
    let shared = try config.connection()
    #expect(shared.server == "https://first:6443")
    #expect(shared.bearerToken == KubeSecret("first-token"))
    // A context of the second file uses the first file's user of that name, and its own
    // cluster's relative CA path resolves against the second file's folder.
    let onlySecond = try config.connection(context: "only-second")
    #expect(onlySecond.server == "https://second-only:6443")
    #expect(onlySecond.bearerToken == KubeSecret("first-token"))
    #expect(onlySecond.certificateAuthorityData == Data(caPEM.utf8))
  }

  @Test func defaultIsHomeKubeConfig() throws {
    let fixture = try KubeconfigFixture()
    try fixture.write(
      ".kube/config",
      """
      clusters: [{name: c, cluster: {server: "https://home:6443"}}]
      contexts: [{name: home, context: {cluster: c}}]
      current-context: home
      """)
    let config = try Kubeconfig.loadDefault(environment: ["HOME": fixture.path])
    #expect(try config.connection().server == "https://home:6443")
  }

  @Test func missingContextNamesTheFile() throws {
    let fixture = try KubeconfigFixture()
    let path = try fixture.write(
      "config",
      """
      clusters: [{name: c, cluster: {server: "https://h:1"}}]
      contexts: [{name: present, context: {cluster: c}}]
      """)
    let config = try Kubeconfig.load(paths: [path])
    let error = try #require(throws: KubeError.self) { try config.connection(context: "absent") }
    guard case .badConfig(let message) = error else {
      Issue.record("expected badConfig, got \(error)")
      return
    }
    #expect(message.contains(path))
    #expect(message.contains("\"absent\""))
    #expect(message.contains("present"))
    // No current-context and none chosen.
    #expect(throws: KubeError.self) { try config.connection() }
  }

  @Test func brokenFieldsNameFileAndField() throws {
    let fixture = try KubeconfigFixture()
    let path = try fixture.write(
      "config",
      """
      clusters:
      - {name: c, cluster: {server: "https://h:1", certificate-authority-data: "%%%not base64"}}
      - {name: d, cluster: {server: "https://h:1", certificate-authority: missing/ca.crt}}
      - {name: e, cluster: {certificate-authority-data: ""}}
      contexts:
      - {name: bad-ca, context: {cluster: c}}
      - {name: missing-ca, context: {cluster: d}}
      - {name: no-server, context: {cluster: e}}
      - {name: no-cluster, context: {cluster: nowhere}}
      """)
    let config = try Kubeconfig.load(paths: [path])
    let expectations = [
      ("bad-ca", "certificate-authority-data"), ("missing-ca", "missing/ca.crt"),
      ("no-server", "server"), ("no-cluster", "nowhere"),
    ]
    for (context, field) in expectations {
      let error = try #require(throws: KubeError.self) { try config.connection(context: context) }
      #expect(error.description.contains(path), "\(context): \(error)")
      #expect(error.description.contains(field), "\(context): \(error)")
    }
  }

  @Test func unsupportedCredentialPluginsAreNamed() throws {
    let fixture = try KubeconfigFixture()
    let path = try fixture.write(
      "config",
      """
      clusters: [{name: c, cluster: {server: "https://h:1"}}]
      users: [{name: u, user: {exec: {command: aws}}}]
      contexts: [{name: x, context: {cluster: c, user: u}}]
      """)
    let error = try #require(throws: KubeError.self) {
      try Kubeconfig.load(paths: [path]).connection(context: "x")
    }
    #expect(error.description.contains("exec"))
    #expect(error.description.contains(path))
  }

  @Test func noFileAtAllIsAnError() throws {
    let fixture = try KubeconfigFixture()
    let error = try #require(throws: KubeError.self) {
      try Kubeconfig.load(paths: [fixture.path + "/nothing"])
    }
    #expect(error.description.contains(fixture.path + "/nothing"))
    let invalid = try fixture.write("invalid", "clusters: [unclosed")
    let parseError = try #require(throws: KubeError.self) { try Kubeconfig.load(paths: [invalid]) }
    #expect(parseError.description.contains(invalid))
  }
}
