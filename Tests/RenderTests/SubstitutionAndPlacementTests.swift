import Model
import Testing

@testable import Render

@Suite("Substitution, placement and quantities")
struct SubstitutionAndPlacementTests {
  static let site = Site(
    name: "paris-opera",
    labels: ["region": "emea", "store-type": "flagship", "latency": "8ms", "country": "fr"],
    vars: ["STORE_ID": "0142", "LOG_LEVEL": "debug"])
  static let app = AppDefinition(
    name: "pos", directory: "apps/pos", basePath: "apps/pos/base", sites: .everything,
    components: [],
    vars: ["LOG_LEVEL": "info", "TIER": "gold"], file: "apps/pos/app.yaml")

  @Test(arguments: [
    ("${site.name}", "paris-opera"),
    ("store ${site.labels.region}-${STORE_ID}", "store emea-0142"),
    ("${LOG_LEVEL}", "debug"),  // the site's value wins over the app's
    ("${TIER}", "gold"),
    ("${MISSING:=fallback}", "fallback"),
    ("${MISSING:=}", ""),
    ("$${site.name}", "${site.name}"),
    ("cost: $5 and ${STORE_ID}", "cost: $5 and 0142"),
    ("no variables", "no variables"),
  ])
  func substitutes(_ text: String, _ expected: String) throws {
    #expect(try Substitution(site: Self.site, app: Self.app).apply(to: text) == expected)
  }

  @Test func reportsUndefinedAndBrokenReferences() {
    let substitution = Substitution(site: Self.site, app: Self.app)
    #expect(throws: Substitution.Failure.undefined("NOPE")) {
      try substitution.apply(to: "a ${NOPE} b")
    }
    #expect(throws: Substitution.Failure.unterminated) { try substitution.apply(to: "a ${NOPE") }
    #expect(throws: Substitution.Failure.invalidName("a b")) {
      try substitution.apply(to: "${a b}")
    }
  }

  static func object(_ annotations: [String: String], labels: [String: String] = [:]) -> Value {
    var object: Value = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "x"]]
    var map: Value = .emptyObject
    for (key, value) in annotations { map[key] = .string(value) }
    object[path: ["metadata", "annotations"]] = map
    for (key, value) in labels { object[path: ["metadata", "labels", key]] = .string(value) }
    return object
  }

  @Test(arguments: [
    (["edge.io/placement": "store-type:flagship"], true),
    (["edge.io/placement": "store-type:express"], false),
    (["edge.io/placement": "region:emea,country:fr"], true),
    (["edge.io/placement": "region:emea,country:de"], false),
    (["edge.io/placement": "store-type in (flagship, standard)"], true),
    (["edge.io/placement": "bandwidth notin (low)"], true),
    (["edge.io/latency-requirement": "10ms"], true),
    (["edge.io/latency-requirement": "8ms"], true),
    (["edge.io/latency-requirement": "5ms"], false),
    (["edge.io/data-locality": "strict", "edge.io/region": "emea"], true),
    (["edge.io/data-locality": "strict", "edge.io/region": "apac"], false),
    (["edge.io/data-locality": "none"], true),
  ])
  func placesBySiteLabels(_ annotations: [String: String], _ placed: Bool) throws {
    let result = try Placement.place(
      Self.object(annotations), on: Self.site, file: "f", objectLabel: "o")
    #expect((result != nil) == placed)
    if let result {
      // Placement annotations are consumed; others stay.
      let left = result[path: ["metadata", "annotations"]]?.objectValue ?? [:]
      #expect(
        left.keys.allSatisfy {
          !$0.hasPrefix("edge.io/placement") && $0 != "edge.io/latency-requirement"
        })
    }
  }

  @Test func strictLocalityReadsTheRegionLabel() throws {
    let inRegion = Self.object(["edge.io/data-locality": "strict"], labels: ["region": "emea"])
    #expect(try Placement.place(inRegion, on: Self.site, file: "f", objectLabel: "o") != nil)
    let elsewhere = Self.object(["edge.io/data-locality": "strict"], labels: ["region": "amer"])
    #expect(try Placement.place(elsewhere, on: Self.site, file: "f", objectLabel: "o") == nil)
    let noRegion = Self.object(["edge.io/data-locality": "strict"])
    #expect(throws: RenderError.self) {
      try Placement.place(noRegion, on: Self.site, file: "f", objectLabel: "o")
    }
  }

  @Test func siteWithoutLatencyLabelFailsALatencyRequirement() throws {
    var site = Self.site
    site.labels["latency"] = nil
    #expect(
      try Placement.place(
        Self.object(["edge.io/latency-requirement": "1s"]), on: site, file: "f", objectLabel: "o")
        == nil)
  }

  @Test func parsesQuantities() {
    #expect(BitRate(parsing: "20Mbps")?.bitsPerSecond == 20_000_000)
    #expect(BitRate(parsing: "1.5Gbps")?.bitsPerSecond == 1_500_000_000)
    #expect(BitRate(parsing: "512kbps")?.bitsPerSecond == 512_000)
    #expect(BitRate(parsing: "20MB") == nil)
    #expect(BitRate(parsing: "-3Mbps") == nil)
    #expect(BitRate(bitsPerSecond: 2_000_000).description == "2Mbps")
    #expect(GoDuration.seconds("1h30m") == 5400)
    #expect(GoDuration.seconds("250ms") == 0.25)
    #expect(GoDuration.seconds("5 minutes") == nil)
    #expect(GoDuration.seconds("") == nil)
    #expect(GoDuration.format(5400) == "1h30m")
    #expect(SiteCount(parsing: "25%")?.resolved(total: 10) == 3)
    #expect(SiteCount(parsing: "10%")?.resolved(total: 3) == 1)
    #expect(SiteCount(parsing: "2")?.resolved(total: 10) == 2)
    #expect(SiteCount(parsing: "150%") == nil)
  }
}
