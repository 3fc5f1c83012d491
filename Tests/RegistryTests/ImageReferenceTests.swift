import Registry
import Testing

@Suite("Image references")
struct ImageReferenceTests {
  @Test(
    arguments: [
      ("nginx", "docker.io", "library/nginx", "latest", nil),
      ("nginx:1.27", "docker.io", "library/nginx", "1.27", nil),
      ("docker.io/bitnami/redis:7", "docker.io", "bitnami/redis", "7", nil),
      ("index.docker.io/library/busybox", "docker.io", "library/busybox", "latest", nil),
      ("localhost:5000/x", "localhost:5000", "x", "latest", nil),
      ("localhost/team/app:dev", "localhost", "team/app", "dev", nil),
      ("registry.example.com/shop/app/api:v2", "registry.example.com", "shop/app/api", "v2", nil),
      ("127.0.0.1:5000/app", "127.0.0.1:5000", "app", "latest", nil),
      ("team/app", "docker.io", "team/app", "latest", nil),
    ] as [(String, String, String, String, String?)])
  func parses(
    text: String, registry: String, repository: String, tag: String, digest: String?
  ) throws {
    let reference = try ImageReference(parsing: text)
    #expect(reference.registry == registry)
    #expect(reference.repository == repository)
    #expect(reference.tag == tag)
    #expect(reference.digest == digest)
    #expect(reference.description == text)
  }

  @Test func aDigestWinsOverATag() throws {
    let digest = "sha256:" + String(repeating: "ab", count: 32)
    let pinned = try ImageReference(parsing: "registry.example.com:443/app:1.0@\(digest)")
    #expect(pinned.registry == "registry.example.com:443")
    #expect(pinned.repository == "app")
    #expect(pinned.tag == "1.0")
    #expect(pinned.manifestReference == digest)
    let bare = try ImageReference(parsing: "app@\(digest)")
    #expect(bare.tag == nil)
    #expect(bare.repository == "library/app")
  }

  @Test func dockerHubIsServedFromRegistry1() throws {
    #expect(try ImageReference(parsing: "nginx").apiHost == "registry-1.docker.io")
    #expect(try ImageReference(parsing: "quay.io/x/y").apiHost == "quay.io")
    #expect(ImageReference.canonicalHost("https://index.docker.io/v1/") == "docker.io")
    #expect(
      ImageReference.canonicalHost("HTTP://Registry.Example.com:5000/")
        == "registry.example.com:5000")
  }

  @Test(arguments: [
    ("", "it is empty"),
    ("Shop/App", "\"Shop/App\" is not a repository name (lowercase, digits, . _ - /)"),
    ("app@sha256:1234", "sha256:1234 is not a sha256:<64 hex digits> digest"),
    ("app:-bad", "\"-bad\" is not a tag"),
    ("registry.example.com//app", "\"/app\" is not a repository name (lowercase, digits, . _ - /)"),
  ])
  func refusesWithAReason(text: String, reason: String) {
    #expect(throws: RegistryError.invalidReference(text, reason: reason)) {
      try ImageReference(parsing: text)
    }
  }
}
