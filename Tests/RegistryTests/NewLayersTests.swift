import Registry
import Testing

@Suite("Which layers an update adds")
struct NewLayersTests {
  static func layer(_ name: String, _ size: Int64) -> BlobDescriptor {
    BlobDescriptor(digest: "sha256:\(name)", size: size)
  }

  let base = layer("base", 1_000)
  let runtime = layer("runtime", 300)
  let appV1 = layer("app-v1", 20)
  let appV2 = layer("app-v2", 25)
  let tool = layer("tool", 7)

  @Test func nothingRunningMeansEveryLayer() {
    #expect(NewLayers.bytes(needed: [[base, runtime, appV2]], present: []) == 1_325)
  }

  @Test func layersPresentAreFree() {
    #expect(
      NewLayers.bytes(needed: [[base, runtime, appV2]], present: [[base, runtime, appV1]]) == 25)
    #expect(NewLayers.bytes(needed: [[base, appV1]], present: [[appV1], [base]]) == 0)
  }

  @Test func sharedLayersCountOnce() {
    #expect(
      NewLayers.bytes(needed: [[base, appV2], [base, tool], [base, tool]], present: []) == 1_032)
    #expect(NewLayers.bytes(needed: [[base, base, appV2]], present: []) == 1_025)
    #expect(
      NewLayers.bytes(needed: [[base, appV2], [runtime, tool]], present: [[runtime]]) == 1_032)
  }

  @Test func noNewImagesMoveNothing() {
    #expect(NewLayers.bytes(needed: [], present: [[base]]) == 0)
    #expect(NewLayers.bytes(needed: [[]], present: []) == 0)
  }
}
