import KubeClient
import Testing

@Suite("WebClient, without a server")
struct WebClientSchemeTests {
  @Test func onlyHTTPAndHTTPSURLsAreSent() async {
    let client = WebClient(name: "registry")
    await #expect(throws: KubeError.badConfig("registry: not an http(s) URL: file:...")) {
      try await client.send("GET", url: "file:///etc/passwd")
    }
    #expect(client.stats.requests == 0)
  }
}
