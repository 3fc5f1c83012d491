import Foundation
import KubeClient
import Model
import Registry
import Testing
import WavesyncTesting

@Suite("Registry credentials and TLS against a real registry")
struct RegistryAuthTests {
  static let user = "puller"
  static let password = "s3cret-Pa55word-for-the-registry"

  /// A `kubernetes.io/dockerconfigjson` Secret for `host`, as the API returns it.
  static func pullSecret(host: String, password: String) -> Value {
    let auth = Data("\(user):\(password)".utf8).base64EncodedString()
    let config = #"{"auths":{"http://\#(host)/":{"auth":"\#(auth)"}}}"#
    return [
      "apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
      "metadata": ["name": "registry-pull", "namespace": "edge"],
      "data": [".dockerconfigjson": .string(Data(config.utf8).base64EncodedString())],
    ]
  }

  @Test func basicAuthWithThePullSecretsCredentials() async throws {
    let images = try await PushedImages(
      authentication: .basic(user: Self.user, password: Self.password))
    defer { images.registry.stop() }
    let credentials = try RegistryCredentials(
      secret: Self.pullSecret(host: images.registry.host, password: Self.password),
      source: "Secret edge/registry-pull")
    let client = images.client(credentials: credentials)
    let estimator = ImagePayloadEstimator(client: client)

    let estimate = await estimator.estimate(
      newImages: [images.image("shop/app:v2")], currentImages: [images.image("shop/app:v1")])
    let again = await estimator.estimate(
      newImages: [images.image("shop/app:v2")], currentImages: [images.image("shop/app:v1")])

    #expect(estimate == .bytes(images.bytes("app2", "app3")))
    #expect(again == estimate)
    // The challenge is answered once per repository; later requests carry the answer:
    // 2 HEADs and 2 GETs, the first HEAD twice (a 401 first), then 2 HEADs.
    #expect(client.transferStats.requests == 7)
  }

  @Test func aWrongPasswordIsUnknownAndNeverPrinted() async throws {
    let images = try await PushedImages(
      authentication: .basic(user: Self.user, password: Self.password))
    defer { images.registry.stop() }
    let wrong = "wr0ng-Pa55word-nobody-may-see"
    let credentials = try RegistryCredentials(
      secret: Self.pullSecret(host: images.registry.host, password: wrong),
      source: "Secret edge/registry-pull")
    let logs = CapturedLogs()
    let client = images.client(credentials: credentials, logs: logs)
    let app = images.image("shop/app:v2")

    let estimate = await ImagePayloadEstimator(client: client).estimate(
      newImages: [app], currentImages: [])
    var thrown = ""
    do {
      _ = try await client.manifest(of: ImageReference(parsing: app))
    } catch {
      thrown = "\(error) \(String(reflecting: error))"
    }

    guard case .unknown(let reason) = estimate else {
      Issue.record("expected unknown, got \(estimate)")
      return
    }
    #expect(reason.contains(app))
    #expect(reason.contains("refused the credentials"))
    #expect(thrown.contains("refused the credentials"))
    #expect(logs.text.contains("HEAD \(images.registry.baseURL)/v2/shop/app/manifests/v2 -> 401"))
    let printed = [
      reason, thrown, "\(credentials)", String(reflecting: credentials),
      "\(credentials.credential(forRegistry: images.registry.host)!)", logs.text,
    ]
    for text in printed {
      #expect(!text.contains(wrong))
      #expect(!text.contains(Data("\(Self.user):\(wrong)".utf8).base64EncodedString()))
    }
  }

  /// Runs `body` with images in a registry that takes Bearer tokens from a token service.
  static func withTokenRegistry(
    _ body: (RegistryTokenServer, PushedImages) async throws -> Void
  ) async throws {
    let work = try TemporaryDirectory()
    let tokens = try await RegistryTokenServer(
      user: user, password: password, workDirectory: work.url)
    defer { tokens.stop() }
    let images = try await PushedImages(authentication: .token(tokens))
    defer { images.registry.stop() }
    try await body(tokens, images)
  }

  @Test func bearerTokensFromTheRegistrysTokenService() async throws {
    try await Self.withTokenRegistry { tokens, images in
      let credentials = try RegistryCredentials(
        secret: Self.pullSecret(host: images.registry.host, password: Self.password),
        source: "Secret edge/registry-pull")
      // The token service is plain HTTP on loopback: allowed like the registry itself.
      let client = RegistryClient(
        configuration: RegistryClientConfiguration(
          credentials: credentials,
          plainHTTPRegistries: [images.registry.host, "127.0.0.1:\(tokens.port)"]))
      let estimator = ImagePayloadEstimator(client: client)

      let estimate = await estimator.estimate(
        newImages: [images.image("shop/app:v2"), images.image("shop/tool:1")],
        currentImages: [images.image("shop/app:v1")])
      let pushTokens = 1

      #expect(estimate == .bytes(images.bytes("app2", "app3", "tool1")))
      // One token per repository, asked for with the repository's pull scope.
      #expect(client.requestCounts.tokenRequests == 2)
      #expect(
        tokens.requests.dropFirst(pushTokens) == [
          "GET /token 200 scopes=1", "GET /token 200 scopes=1",
        ])
    }
  }

  @Test func aWrongPasswordForTheTokenServiceIsUnknown() async throws {
    try await Self.withTokenRegistry { tokens, images in
      let wrong = "an0ther-wr0ng-Pa55word"
      let client = RegistryClient(
        configuration: RegistryClientConfiguration(
          credentials: try RegistryCredentials(
            secret: Self.pullSecret(host: images.registry.host, password: wrong),
            source: "Secret edge/registry-pull"),
          plainHTTPRegistries: [images.registry.host, "127.0.0.1:\(tokens.port)"]))

      let estimate = await ImagePayloadEstimator(client: client).estimate(
        newImages: [images.image("shop/app:v2")], currentImages: [])

      #expect(
        estimate
          == .unknown(
            reason: "image \(images.image("shop/app:v2")): registry \(images.registry.host) "
              + "refused the credentials (or needs some)"))
      #expect(!estimate.description.contains(wrong))
      #expect(tokens.requests.last == "GET /token 401 scopes=1")
    }
  }

  @Test func noCredentialsForAnAuthenticatingRegistryIsUnknown() async throws {
    let images = try await PushedImages(
      authentication: .basic(user: Self.user, password: Self.password))
    defer { images.registry.stop() }

    let estimate = await ImagePayloadEstimator(client: images.client()).estimate(
      newImages: [images.image("shop/tool:1")], currentImages: [])

    #expect(
      estimate
        == .unknown(
          reason: "image \(images.image("shop/tool:1")): registry \(images.registry.host) "
            + "refused the credentials (or needs some)"))
  }

  @Test func tlsIsVerifiedAgainstTheConfiguredAuthority() async throws {
    let images = try await PushedImages(tls: true)
    defer { images.registry.stop() }
    let app = images.image("shop/app:v2")

    let trusted = await ImagePayloadEstimator(client: images.client()).estimate(
      newImages: [app], currentImages: [])
    let untrusted = await ImagePayloadEstimator(
      client: images.client(trustingItsCertificate: false)
    ).estimate(newImages: [app], currentImages: [])

    #expect(trusted == .bytes(images.bytes("base1", "base2", "app2", "app3")))
    guard case .unknown(let reason) = untrusted else {
      Issue.record("expected unknown, got \(untrusted)")
      return
    }
    #expect(reason.contains("image \(app): cannot reach registry \(images.registry.host)"))
  }
}
