import Controller
import Foundation
import KubeClient
import Model
import Testing
import WavesyncTesting

/// charts/wavesync installed in the regional cluster by Helm's engine, and its controller run
/// as its Deployment runs it: the container's arguments, the chart's service account (a token
/// from the TokenRequest API, in a file the controller reads again when it changes), nothing
/// more. A pod cannot run here (the simulated kubelet runs no containers), so the Deployment is
/// checked by the API server in a dry run and its container is run as a process.
extension RolloutCLITests {
  static let chartNamespace = "wavesync-system"

  @Test func theChartsControllerReconcilesWithItsServiceAccountAloneAndOutlivesItsToken()
    async throws
  {
    let repo = try RolloutRepository(try fleet, "chart")
    let controlled = try await ControlledFleet(repo, creatingFleet: false)
    defer { controlled.daemon.stop() }
    let regional = controlled.regional
    let objects = try await HelmChart.render(
      release: "wavesync", namespace: Self.chartNamespace,
      values: [
        "tickInterval": RolloutRepository.tickInterval, "leaseDuration": "3",
        "scanInterval": "0.5",
      ])
    #expect(
      objects.compactMap { $0["kind"]?.stringValue }.sorted() == [
        "ClusterRole", "ClusterRole", "Deployment", "Role", "RoleBinding", "ServiceAccount",
      ])
    let deployment = try #require(objects.first { $0["kind"] == "Deployment" })
    for object in objects where object["kind"] != "Deployment" {
      _ = try await regional.apply(object, fieldManager: "helm-chart-test", force: true)
    }
    _ = try await regional.create(deployment, dryRun: true)

    let serviceAccount = try #require(
      objects.first { $0["kind"] == "ServiceAccount" }?[path: ["metadata", "name"]]?.stringValue)
    let first = try await ServiceAccountToken.request(
      for: serviceAccount, namespace: Self.chartNamespace, boundTo: "\(repo.app)-token-1",
      client: regional)
    let tokenFile = repo.temp.appending("service-account-token")
    try Data(first.token.utf8).write(to: tokenFile)
    let kubeconfig = try ServiceAccountToken.kubeconfig(
      for: regional.connection, tokenFile: tokenFile, in: repo.temp)

    // The Deployment's container: its arguments, $(POD_NAME) as Kubernetes expands it, the
    // cache volume a folder of the test's.
    let arguments = try HelmChart.containerArguments(objects).map {
      $0.hasPrefix("--cache-dir=")
        ? "--cache-dir=\(repo.temp.appending("cache").path)"
        : $0.replacingOccurrences(of: "$(POD_NAME)", with: "wavesync-5d4f8-x2k9q")
    }
    #expect(arguments.first == "controller")
    #expect(arguments.contains("--namespace=\(Self.chartNamespace)"))
    let controller = try WavesyncProcess.start(arguments + ["--kubeconfig", kubeconfig.path])
    defer { controller.kill() }

    // Started before any Fleet of its own exists: it waits for one, then reconciles it.
    try await eventually("the controller's first look at the namespace") {
      controller.errors.contains("reconciling")
    }
    try await Task.sleep(for: .seconds(1))
    #expect(controller.isRunning, "\(controller.errors)")
    try await controlled.createFleet()
    let revision = repo.firstCommit
    _ = try await controlled.eventuallyInStatus("\(revision.prefix(8)) rolled out") {
      $0.lastGoodRevision == revision && controlled.ready($0)
    }
    #expect(try await controlled.leaseHolder() == "wavesync-5d4f8-x2k9q")

    // What the service account may not do: the Role is its namespace's Fleets, FleetSites,
    // Leases and reading a Secret by name, nothing more.
    var asController = regional.connection
    asController.bearerToken = KubeSecret(first.token)
    let serviceAccountClient = KubeClient(connection: asController)
    for (method, path) in [
      ("GET", "/api/v1/namespaces/\(Self.chartNamespace)/secrets"),
      ("GET", "/api/v1/namespaces/kube-system/secrets"),
      (
        "DELETE",
        "/apis/wavesync.io/v1alpha1/namespaces/\(Self.chartNamespace)/fleets/\(repo.stateName)"
      ),
      ("GET", "/apis/apps/v1/namespaces/\(Self.chartNamespace)/deployments"),
    ] {
      let response = try await serviceAccountClient.request(method, path)
      #expect(response.status == 403, "\(method) \(path) as the controller: \(response.status)")
    }

    // The kubelet replaces the token; the old one is revoked (its Secret deleted). The controller
    // goes on with the new one: it takes the next commit out.
    let second = try await ServiceAccountToken.request(
      for: serviceAccount, namespace: Self.chartNamespace, boundTo: "\(repo.app)-token-2",
      client: regional)
    try Data(second.token.utf8).write(to: tokenFile)
    _ = try await regional.delete(
      ObjectReference(
        apiVersion: "v1", kind: "Secret", namespace: Self.chartNamespace, name: first.boundTo))
    try await eventually("the first token refused") {
      try await serviceAccountClient.request("GET", "/api").status == 401
    }
    let next = try repo.commit(image: "registry.local/till:1.1")
    do {
      _ = try await controlled.eventuallyInStatus("\(next.prefix(8)) rolled out") {
        $0.lastGoodRevision == next && controlled.ready($0)
      }
    } catch {
      let log = String(controller.errors.suffix(4000))
      Issue.record("the controller (running: \(controller.isRunning)) logged:\n\(log)")
      throw error
    }

    controller.terminate()
    let stopped = try await controller.finish()
    #expect(stopped.status == 0, "\(stopped)")
    #expect(try await controlled.leaseHolder() ?? "" == "", "the Lease is let go at SIGTERM")
  }
}

/// A token of a service account from the TokenRequest API, as the kubelet gets one for a pod,
/// bound to a Secret of its own so that deleting the Secret revokes it.
struct ServiceAccountToken {
  var token: String
  /// The Secret it is bound to.
  var boundTo: String

  static func request(
    for serviceAccount: String, namespace: String, boundTo secret: String, client: KubeClient
  ) async throws -> ServiceAccountToken {
    let created = try await client.create([
      "apiVersion": "v1", "kind": "Secret",
      "metadata": ["name": .string(secret), "namespace": .string(namespace)],
    ])
    let uid = try #require(created[path: ["metadata", "uid"]]?.stringValue)
    let request: Value = [
      "apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
      "spec": [
        "expirationSeconds": 3600,
        "boundObjectRef": [
          "apiVersion": "v1", "kind": "Secret", "name": .string(secret), "uid": .string(uid),
        ],
      ],
    ]
    let response = try await client.request(
      "POST", "/api/v1/namespaces/\(namespace)/serviceaccounts/\(serviceAccount)/token",
      body: Data(JSON.encode(request).utf8), contentType: "application/json")
    #expect(response.status == 201, "TokenRequest for \(serviceAccount): \(response.text)")
    let token = try #require(
      try JSON.decode(response.body)[path: ["status", "token"]]?.stringValue)
    return ServiceAccountToken(token: token, boundTo: secret)
  }

  /// A kubeconfig for `connection`'s server and CA whose user is the token in `tokenFile`.
  static func kubeconfig(
    for connection: ClusterConnection, tokenFile: URL, in folder: TemporaryDirectory
  )
    throws -> URL
  {
    let authority = try #require(connection.certificateAuthorityData).base64EncodedString()
    let file = folder.appending("service-account.kubeconfig")
    try Data(
      """
      apiVersion: v1
      kind: Config
      clusters: [{name: regional, cluster: {server: "\(connection.server)", certificate-authority-data: \(authority)}}]
      users: [{name: controller, user: {tokenFile: "\(tokenFile.path)"}}]
      contexts: [{name: regional, context: {cluster: regional, user: controller}}]
      current-context: regional
      """.utf8
    ).write(to: file)
    return file
  }
}
