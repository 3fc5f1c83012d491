import Foundation
import Registry
import WavesyncTesting

/// A real registry holding images whose layer sizes the tests know, pushed through the
/// distribution API:
/// - `shop/app:v1` = base1, base2, app1
/// - `shop/app:v2` = base1, base2, app2, app3 (shares both base layers with v1)
/// - `shop/tool:1` = base1, tool1 (shares base1 with the app)
/// - `shop/multi:1` = an OCI index: linux/amd64 = base1, amd64Only; linux/arm64/v8 = base1,
///   arm64Only (sizes differ per platform)
struct PushedImages {
  let registry: LocalRegistry
  let layers: [String: PushedContent]
  let appV2: PushedContent

  static let sizes = [
    "base1": 30_011, "base2": 20_023, "app1": 5_003, "app2": 7_019, "app3": 1_103,
    "tool1": 3_307, "amd64Only": 40_009, "arm64Only": 25_013,
  ]

  init(authentication: LocalRegistry.Authentication = .none, tls: Bool = false) async throws {
    registry = try await LocalRegistry(authentication: authentication, tls: tls)
    let authorization: String? =
      switch authentication {
      case .none: nil
      case .basic(let user, let password): RegistryPusher.basic(user: user, password: password)
      case .token(let server):
        try await RegistryPusher.bearer(
          from: server, repositories: ["shop/app", "shop/tool", "shop/multi"])
      }
    let pusher = RegistryPusher(registry, authorization: authorization)
    var layers: [String: PushedContent] = [:]
    let repositories = [
      "base1": "shop/app", "base2": "shop/app", "app1": "shop/app", "app2": "shop/app",
      "app3": "shop/app", "tool1": "shop/tool", "amd64Only": "shop/multi",
      "arm64Only": "shop/multi",
    ]
    for (name, size) in Self.sizes.sorted(by: { $0.key < $1.key }) {
      layers[name] = try await pusher.pushLayer(size: size, repository: repositories[name]!)
    }
    // The base layer is shared across repositories, mounted as `docker push` does.
    let base1 = layers["base1"]!
    for repository in ["shop/tool", "shop/multi"] {
      try await pusher.mountBlob(base1.digest, from: "shop/app", into: repository)
    }
    self.layers = layers
    _ = try await pusher.pushImage(
      repository: "shop/app", tag: "v1", layers: [base1, layers["base2"]!, layers["app1"]!])
    appV2 = try await pusher.pushImage(
      repository: "shop/app", tag: "v2",
      layers: [base1, layers["base2"]!, layers["app2"]!, layers["app3"]!])
    _ = try await pusher.pushImage(
      repository: "shop/tool", tag: "1", layers: [base1, layers["tool1"]!])
    let amd64 = try await pusher.pushImage(
      repository: "shop/multi", tag: nil, layers: [base1, layers["amd64Only"]!])
    let arm64 = try await pusher.pushImage(
      repository: "shop/multi", tag: nil, layers: [base1, layers["arm64Only"]!],
      platform: "linux/arm64")
    _ = try await pusher.pushIndex(
      repository: "shop/multi", tag: "1",
      manifests: [(amd64, "linux/amd64"), (arm64, "linux/arm64/v8")])
  }

  /// `127.0.0.1:<port>/<path>`.
  func image(_ path: String) -> String { "\(registry.host)/\(path)" }

  /// The summed sizes of the named layers, as pushed.
  func bytes(_ names: String...) -> Int64 { names.reduce(0) { $0 + layers[$1]!.size } }

  /// A client for this registry: plain HTTP unless it serves TLS; logging into `logs` at
  /// trace level when given.
  func client(
    platform: Platform = .linuxAMD64, credentials: RegistryCredentials = .anonymous,
    trustingItsCertificate: Bool = true, logs: CapturedLogs? = nil
  ) -> RegistryClient {
    let configuration = RegistryClientConfiguration(
      platform: platform, credentials: credentials,
      plainHTTPRegistries: registry.certificateAuthority == nil ? [registry.host] : [],
      certificateAuthorityData: trustingItsCertificate ? registry.certificateAuthority : nil)
    guard let logs else { return RegistryClient(configuration: configuration) }
    return RegistryClient(configuration: configuration, logger: logs.logger)
  }
}
