import Foundation
import Model
import Render
import Testing

@Suite("Rollout policy: parsing, validation and wave assignment")
struct RolloutPolicyTests {
  static func fleet(rollout: String) -> InMemoryFileTree {
    InMemoryFileTree(texts: [
      "fleet.yaml": """
      apiVersion: wavesync.io/v1alpha1
      kind: Fleet
      metadata:
        name: test
      spec:
      \(rollout)
      """,
      "sites/.keep.yaml": "apiVersion: wavesync.io/v1alpha1\nkind: SiteList\nitems: []\n",
      "apps/.keep": "",
    ])
  }

  static func policy(_ rollout: String) throws(RenderError) -> RolloutPolicy {
    try FleetRepository.load(from: fleet(rollout: rollout)).rollout
  }

  @Test func readsWavesWithDefaultsAndOverrides() throws {
    let policy = try Self.policy(
      """
        rollout:
          uplinkBudget: 150Mbps
          unreachableSites: skip
          defaults:
            maxConcurrent: 3
            failureThreshold: "10%"
            soak: 5m
            healthTimeout: 15m
          waves:
          - name: canary
            selector: canary=true
            maxConcurrent: 1
            manualGate: true
          - name: rest
            selector:
              matchExpressions:
              - {key: store-type, operator: NotIn, values: [lab]}
            soak: 1h30m
      """)
    #expect(policy.uplinkBudget == BitRate(bitsPerSecond: 150_000_000))
    #expect(policy.unreachableSites == .skip)
    #expect(policy.waves.map(\.name) == ["canary", "rest"])
    let canary = policy.waves[0]
    #expect(canary.maxConcurrent == .count(1))
    #expect(canary.failureThreshold == .percent(10))
    #expect(canary.soakSeconds == 300)
    #expect(canary.healthTimeoutSeconds == 900)
    #expect(canary.manualGate)
    let rest = policy.waves[1]
    #expect(rest.maxConcurrent == .count(3))
    #expect(rest.soakSeconds == 5400)
    #expect(!rest.manualGate)
    #expect(rest.selector.matches(["store-type": "flagship"]))
    #expect(!rest.selector.matches(["store-type": "lab"]))
  }

  @Test func prestagingReachesTheNextWaveUnlessToldHowManyAhead() throws {
    let next = try Self.policy("  rollout:\n    prestage: true\n    waves:\n    - name: a")
    #expect(next.prestage && next.prestageWaves == 1)
    let three = try Self.policy(
      "  rollout:\n    prestage: true\n    prestageWaves: 3\n    waves:\n    - name: a")
    #expect(three.prestage && three.prestageWaves == 3)
  }

  @Test func aFleetWithoutRolloutHasOneWaveForAll() throws {
    let policy = try Self.policy("  sitesDir: sites")
    #expect(policy == .default)
    #expect(policy.waves.count == 1 && policy.waves[0].selector.isEverything)
  }

  @Test(arguments: [
    ("  rollout:\n    waves: []", "fleet.yaml:7: spec.rollout.waves: needs at least one wave"),
    (
      "  rollout:\n    waves:\n    - name: a\n    - name: a",
      "fleet.yaml:9: spec.rollout.waves.1.name: wave \"a\" is listed twice"
    ),
    (
      "  rollout:\n    waves:\n    - name: a\n      maxConcurrent: lots",
      "fleet.yaml:9: spec.rollout.waves.0.maxConcurrent: expected a count or percentage, found \"lots\""
    ),
    (
      "  rollout:\n    waves:\n    - name: a\n      failureThreshold: \"120%\"",
      "fleet.yaml:9: spec.rollout.waves.0.failureThreshold: expected a count or percentage, found \"120%\""
    ),
    (
      "  rollout:\n    unreachableSites: ignore\n    waves:\n    - name: a",
      "fleet.yaml:7: spec.rollout.unreachableSites: expected countAsFailed or skip, found \"ignore\""
    ),
    (
      "  rollout:\n    uplinkBudget: fast\n    waves:\n    - name: a",
      "fleet.yaml:7: spec.rollout.uplinkBudget: expected a rate like 200Mbps, found \"fast\""
    ),
    (
      "  rollout:\n    waves:\n    - name: a\n      selector: \"tier in (a\"",
      "fleet.yaml:9: spec.rollout.waves.0.selector: invalid label selector \"tier in (a\""
    ),
    (
      "  rollout:\n    waves:\n    - name: a\n      gate: manual",
      "fleet.yaml:9: spec.rollout.waves.0.gate: unknown field (expected one of: name, selector, maxConcurrent"
    ),
    (
      "  rollout:\n    waves:\n    - name: a\n      maxConcurrent: 0",
      "fleet.yaml:9: spec.rollout.waves.0.maxConcurrent: must be at least 1"
    ),
    (
      "  rollout:\n    prestageWaves: 2\n    waves:\n    - name: a",
      "fleet.yaml:7: spec.rollout.prestageWaves: needs prestage: true"
    ),
    (
      "  rollout:\n    prestage: true\n    prestageWaves: 0\n    waves:\n    - name: a",
      "fleet.yaml:8: spec.rollout.prestageWaves: expected a number of waves like 2, found \"0\""
    ),
  ])
  func rejectsBadPolicies(_ rollout: String, _ expected: String) {
    do {
      _ = try Self.policy(rollout)
      Issue.record("no error for: \(rollout)")
    } catch {
      #expect(error.description.hasPrefix(expected), "got: \(error.description)")
    }
  }

  @Test func firstMatchingWaveTakesASiteAndTheRestIsReported() throws {
    let policy = try Self.policy(
      """
        rollout:
          waves:
          - name: lab
            selector: store-type=lab
          - name: canary
            selector: canary=true
          - name: flagships
            selector: store-type=flagship
      """)
    let sites = [
      Site(name: "lab-1", labels: ["store-type": "lab", "canary": "true"]),
      Site(name: "paris", labels: ["store-type": "flagship", "canary": "true"]),
      Site(name: "london", labels: ["store-type": "flagship"]),
      Site(name: "lyon", labels: ["store-type": "standard"]),
    ]
    let (waves, unassigned) = policy.assign(sites)
    #expect(waves.map { $0.sites.map(\.name) } == [["lab-1"], ["paris"], ["london"]])
    #expect(unassigned.map(\.name) == ["lyon"])
  }

  @Test func percentagesRoundUpToWholeSites() {
    #expect(SiteCount.percent(25).resolved(total: 9) == 3)
    #expect(SiteCount.percent(10).resolved(total: 1) == 1)
    #expect(SiteCount.percent(0).resolved(total: 50) == 0)
    #expect(SiteCount.count(2).resolved(total: 1) == 2)
  }
}
