import Foundation
import KubeClient
import Registry
import Testing
import WavesyncTesting

@Suite("Image payload estimates against a real registry")
struct PayloadEstimateTests {
  @Test func aNewImageOnAnEmptySiteNeedsAllItsLayers() async throws {
    let images = try await PushedImages()
    defer { images.registry.stop() }
    let estimator = ImagePayloadEstimator(client: images.client())

    let estimate = await estimator.estimate(
      newImages: [images.image("shop/app:v2")], currentImages: [])

    #expect(estimate == .bytes(images.bytes("base1", "base2", "app2", "app3")))
  }

  @Test func layersTheSiteRunsAlreadyDoNotCount() async throws {
    let images = try await PushedImages()
    defer { images.registry.stop() }
    let estimator = ImagePayloadEstimator(client: images.client())

    let upgrade = await estimator.estimate(
      newImages: [images.image("shop/app:v2")], currentImages: [images.image("shop/app:v1")])
    let unchanged = await estimator.estimate(
      newImages: [images.image("shop/app:v1")], currentImages: [images.image("shop/app:v1")])

    #expect(upgrade == .bytes(images.bytes("app2", "app3")))
    #expect(unchanged == .bytes(0))
  }

  @Test func newImagesSharingALayerCountItOnce() async throws {
    let images = try await PushedImages()
    defer { images.registry.stop() }
    let estimator = ImagePayloadEstimator(client: images.client())

    let both = await estimator.estimate(
      newImages: [images.image("shop/app:v2"), images.image("shop/tool:1")], currentImages: [])
    let toolNextToTheApp = await estimator.estimate(
      newImages: [images.image("shop/app:v2"), images.image("shop/tool:1")],
      currentImages: [images.image("shop/app:v1")])

    #expect(both == .bytes(images.bytes("base1", "base2", "app2", "app3", "tool1")))
    #expect(toolNextToTheApp == .bytes(images.bytes("app2", "app3", "tool1")))
  }

  @Test func anIndexResolvesToTheConfiguredPlatformsLayers() async throws {
    let images = try await PushedImages()
    defer { images.registry.stop() }
    let amd64 = ImagePayloadEstimator(client: images.client())
    let arm64 = ImagePayloadEstimator(
      client: images.client(platform: Platform(os: "linux", architecture: "arm64")))
    let arm64v8 = ImagePayloadEstimator(
      client: images.client(platform: Platform(parsing: "linux/arm64/v8")!))
    let multi = images.image("shop/multi:1")

    #expect(
      await amd64.estimate(newImages: [multi], currentImages: [])
        == .bytes(images.bytes("base1", "amd64Only")))
    #expect(
      await arm64.estimate(newImages: [multi], currentImages: [])
        == .bytes(images.bytes("base1", "arm64Only")))
    #expect(
      await arm64v8.estimate(newImages: [multi], currentImages: [images.image("shop/tool:1")])
        == .bytes(images.bytes("arm64Only")))
  }

  @Test func aDigestReferenceNamesThatImage() async throws {
    let images = try await PushedImages()
    defer { images.registry.stop() }
    let client = images.client()
    let estimator = ImagePayloadEstimator(client: client)

    let estimate = await estimator.estimate(
      newImages: [images.image("shop/app@\(images.appV2.digest)")],
      currentImages: [images.image("shop/app:v1")])

    #expect(estimate == .bytes(images.bytes("app2", "app3")))
    #expect(client.requestCounts.tagResolutions == 1, "only v1 is a tag")
  }

  @Test func aSecondEstimateReadsNoManifestAgain() async throws {
    let images = try await PushedImages()
    defer { images.registry.stop() }
    let client = images.client()
    let estimator = ImagePayloadEstimator(client: client)
    let newImages = [images.image("shop/app:v2"), images.image("shop/multi:1")]
    let current = [images.image("shop/app:v1")]

    let first = await estimator.estimate(newImages: newImages, currentImages: current)
    let afterFirst = client.requestCounts
    let second = await estimator.estimate(newImages: newImages, currentImages: current)
    let afterSecond = client.requestCounts

    #expect(first == .bytes(images.bytes("app2", "app3", "amd64Only")))
    #expect(second == first)
    // Three tags: each asked once per estimate. Manifests: v1, v2, the index and its amd64
    // manifest, all by digest, once.
    #expect(afterFirst.tagResolutions == 3)
    #expect(afterFirst.manifestsByDigest == 4)
    #expect(afterFirst.manifestsByTag == 0)
    #expect(afterSecond.tagResolutions == 6)
    #expect(afterSecond.manifestsByDigest == 4)
    #expect(client.transferStats.requests == 10)
  }

  @Test func anUnknownTagMakesTheEstimateUnknownNamingIt() async throws {
    let images = try await PushedImages()
    defer { images.registry.stop() }
    let estimator = ImagePayloadEstimator(client: images.client())
    let missing = images.image("shop/app:v3")

    let estimate = await estimator.estimate(
      newImages: [images.image("shop/app:v2"), missing], currentImages: [])

    guard case .unknown(let reason) = estimate else {
      Issue.record("expected unknown, got \(estimate)")
      return
    }
    #expect(reason.contains(missing))
    #expect(reason.contains("not found"))
  }

  @Test func anUnreachableRegistryMakesTheEstimateUnknownNamingTheImage() async throws {
    let images = try await PushedImages()
    let client = images.client()
    let estimator = ImagePayloadEstimator(client: client)
    let app = images.image("shop/app:v2")
    images.registry.stop()

    let estimate = await estimator.estimate(newImages: [app], currentImages: [])

    guard case .unknown(let reason) = estimate else {
      Issue.record("expected unknown, got \(estimate)")
      return
    }
    #expect(reason.contains(app))
    #expect(reason.contains("cannot reach registry \(images.registry.host)"))
    // A refused connection is retried like any transient failure: 4 tries, none answered.
    #expect(client.transferStats.retries == 3)
    #expect(client.transferStats.requests == 0)
  }
}
