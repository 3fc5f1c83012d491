import Foundation
import KubeClient
import Model
import Testing

@testable import Registry

@Suite("Challenges, credentials and manifests, without a registry")
struct AuthenticationPartsTests {
  @Test func parsesABearerChallenge() {
    let challenge = AuthChallenge(
      header:
        #"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull,push""#
    )
    #expect(challenge?.scheme == "bearer")
    #expect(
      challenge?.parameters == [
        "realm": "https://auth.docker.io/token", "service": "registry.docker.io",
        "scope": "repository:library/nginx:pull,push",
      ])
  }

  @Test func parsesBasicAndUnquotedAndEscapedValues() {
    let basic = AuthChallenge(header: #"Basic realm="a \"quoted\" realm""#)
    #expect(basic?.scheme == "basic")
    #expect(basic?.parameters == ["realm": #"a "quoted" realm"#])
    #expect(
      AuthChallenge(header: "Bearer realm=https://t.example/token, service=reg")?.parameters
        == ["realm": "https://t.example/token", "service": "reg"])
    #expect(AuthChallenge(header: "") == nil)
  }

  @Test func readsAuthAndUsernamePasswordEntries() throws {
    let auth = Data("robot:pa:ss".utf8).base64EncodedString()
    let json = #"""
      {"auths": {
        "https://index.docker.io/v1/": {"auth": "\#(auth)"},
        "registry.example.com:5000": {"username": "ci", "password": "hunter2"},
        "empty.example.com": {}
      }}
      """#
    let credentials = try RegistryCredentials(
      dockerConfigJSON: Data(json.utf8), source: "Secret edge/pull")
    let hub = try #require(credentials.credential(forRegistry: "docker.io"))
    #expect(hub.username == "robot")
    #expect(hub.password.reveal() == "pa:ss")
    #expect(credentials.credential(forRegistry: "registry.example.com:5000")?.username == "ci")
    #expect(credentials.credential(forRegistry: "empty.example.com") == nil)
    #expect(!"\(credentials)".contains("hunter2"))
    #expect(!String(reflecting: credentials).contains("pa:ss"))
    #expect("\(hub)" == "robot (password redacted)")
  }

  @Test func badConfigsNameTheSourceAndFieldButNoValue() {
    let secretValue = "bm90LWEtcGFpcg=="  // base64 of "not-a-pair": no colon
    #expect(
      throws: RegistryError.badConfiguration(
        "Secret edge/pull: auths.r.example.auth is not base64 of user:password")
    ) {
      try RegistryCredentials(
        dockerConfigJSON: Data(#"{"auths":{"r.example":{"auth":"\#(secretValue)"}}}"#.utf8),
        source: "Secret edge/pull")
    }
    #expect(
      throws: RegistryError.badConfiguration("Secret edge/pull: the Docker config is not JSON")
    ) {
      try RegistryCredentials(dockerConfigJSON: Data("{".utf8), source: "Secret edge/pull")
    }
    let opaque: Value = ["type": "Opaque", "data": [:]]
    #expect(
      throws: RegistryError.badConfiguration(
        "Secret edge/pull: type is \"Opaque\", not kubernetes.io/dockerconfigjson")
    ) {
      try RegistryCredentials(secret: opaque, source: "Secret edge/pull")
    }
  }

  @Test func anIndexEntryIsChosenByPlatform() throws {
    let entries = [
      ManifestDocument.IndexEntry(digest: "amd64", platform: Platform(parsing: "linux/amd64")),
      ManifestDocument.IndexEntry(digest: "armv7", platform: Platform(parsing: "linux/arm/v7")),
      ManifestDocument.IndexEntry(digest: "arm64", platform: Platform(parsing: "linux/arm64")),
      ManifestDocument.IndexEntry(
        digest: "attestation", platform: Platform(parsing: "unknown/unknown")),
    ]
    func chosen(_ platform: String) throws -> String {
      try ManifestDocument.entry(for: Platform(parsing: platform)!, in: entries, image: "app")
        .digest
    }
    #expect(try chosen("linux/amd64") == "amd64")
    #expect(try chosen("linux/arm64/v8") == "arm64")
    #expect(try chosen("linux/arm/v7") == "armv7")
    #expect(try chosen("linux/arm") == "armv7")
    #expect(
      throws: RegistryError.noMatchingPlatform(
        image: "app", platform: "linux/s390x",
        available: ["linux/amd64", "linux/arm/v7", "linux/arm64", "unknown/unknown"])
    ) { try chosen("linux/s390x") }
  }

  @Test func aDockerV2ManifestGivesConfigAndLayers() throws {
    let body = #"""
      {"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
       "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1469,
                  "digest": "sha256:c"},
       "layers": [{"size": 3370706, "digest": "sha256:l1"}, {"size": 12, "digest": "sha256:l2"}]}
      """#
    let document = try ManifestDocument.parse(Data(body.utf8), contentType: nil, image: "app")
    #expect(
      document
        == .image(
          config: BlobDescriptor(digest: "sha256:c", size: 1469),
          layers: [
            BlobDescriptor(digest: "sha256:l1", size: 3_370_706),
            BlobDescriptor(digest: "sha256:l2", size: 12),
          ]))
    #expect(
      throws: RegistryError.badManifest(
        image: "app", reason: "schema 1 manifests are not supported")
    ) {
      try ManifestDocument.parse(
        Data(#"{"schemaVersion": 1}"#.utf8), contentType: nil, image: "app")
    }
    #expect(
      throws: RegistryError.badManifest(image: "app", reason: "layers[] sha256:l1 has no size")
    ) {
      try ManifestDocument.parse(
        Data(
          #"{"config": {"digest": "sha256:c", "size": 1}, "layers": [{"digest": "sha256:l1"}]}"#
            .utf8),
        contentType: "application/vnd.oci.image.manifest.v1+json", image: "app")
    }
  }
}
