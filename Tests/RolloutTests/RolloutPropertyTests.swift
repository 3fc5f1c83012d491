import Foundation
import Model
import Rollout
import Testing

/// A small seeded generator (SplitMix64), so every failing sequence can be replayed.
struct SplitMix64: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

@Suite("Rollout engine invariants")
struct RolloutPropertyTests {
  static let origin = Date(timeIntervalSince1970: 1_750_000_000)

  static func randomCount(_ rng: inout SplitMix64, _ range: ClosedRange<Int>) -> SiteCount {
    Bool.random(using: &rng)
      ? .count(Int.random(in: range, using: &rng))
      : .percent(Double(Int.random(in: 0...100, using: &rng)))
  }

  static func randomFleet(_ rng: inout SplitMix64) -> (RolloutPolicy, [Site]) {
    let waveCount = Int.random(in: 1...4, using: &rng)
    var waves: [RolloutPolicy.Wave] = []
    var sites: [Site] = []
    for index in 0..<waveCount {
      let name = "w\(index)"
      waves.append(
        RolloutPolicy.Wave(
          name: name, selector: try! LabelSelector(parsing: "wave=\(name)"),
          maxConcurrent: randomCount(&rng, 1...3), failureThreshold: randomCount(&rng, 0...3),
          soakSeconds: [0, 0, 30].randomElement(using: &rng)!,
          healthTimeoutSeconds: Double(Int.random(in: 60...240, using: &rng)),
          manualGate: Int.random(in: 0..<4, using: &rng) == 0))
      for site in 0..<Int.random(in: 0...5, using: &rng) {
        sites.append(Site(name: "\(name)-s\(site)", labels: ["wave": name]))
      }
    }
    sites.append(Site(name: "stray", labels: ["wave": "none"]))
    sites.shuffle(using: &rng)
    let policy = RolloutPolicy(
      uplinkBudget: nil, unreachableSites: Bool.random(using: &rng) ? .skip : .countAsFailed,
      waves: waves)
    return (policy, sites)
  }

  /// An event, biased toward ones that make progress for sites in flight.
  static func randomEvent(
    _ rng: inout SplitMix64, state: RolloutState, names: [String], waves: [String], now: Date
  ) -> RolloutEvent {
    let busy = state.waves.flatMap(\.sites).filter {
      $0.phase.isInFlight || $0.phase == .rollingBack
    }
    if let site = busy.randomElement(using: &rng), Int.random(in: 0..<10, using: &rng) < 6 {
      switch site.phase {
      case .applying, .unreachable:
        switch Int.random(in: 0..<10, using: &rng) {
        case 0: return .applyFailed(site: site.name, reason: "denied", at: now)
        case 1, 2: return .unreachable(site: site.name, at: now)
        default: return .applied(site: site.name, at: now)
        }
      case .verifying:
        let status: HealthStatusChoice =
          Int.random(in: 0..<10, using: &rng) == 0 ? .failed : .current
        return status.event(site.name, now)
      default:
        return Int.random(in: 0..<4, using: &rng) == 0
          ? .rollbackFailed(site: site.name, reason: "unreachable", at: now)
          : .rolledBack(site: site.name, at: now)
      }
    }
    let site = (names + ["ghost"]).randomElement(using: &rng)!
    switch Int.random(in: 0..<24, using: &rng) {
    case 0: return .applied(site: site, at: now)
    case 1: return .applyFailed(site: site, reason: "x", at: now)
    case 2: return .unreachable(site: site, at: now)
    case 3: return HealthStatusChoice.allCases.randomElement(using: &rng)!.event(site, now)
    case 4: return .rolledBack(site: site, at: now)
    case 5, 6: return .promote(wave: (waves + ["nope"]).randomElement(using: &rng)!)
    case 7: return .pause
    case 8, 9: return .resume(at: now)
    case 10: return Int.random(in: 0..<5, using: &rng) == 0 ? .newRevision("r2", at: now) : .pause
    case 11: return .rollbackFailed(site: site, reason: "x", at: now)
    default: return .tick(now)
    }
  }

  @Test(arguments: 0..<300)
  func invariantsHoldForRandomEventSequences(seed: UInt64) {
    _ = Self.run(seed: seed)
  }

  /// The random sequences reach every outcome, so the invariants are checked along all paths.
  @Test func randomSequencesReachEveryOutcome() {
    var outcomes: [String: Int] = [:]
    for seed in UInt64(0)..<300 {
      let phase = Self.run(seed: seed).phase
      let key =
        switch phase {
        case .succeeded: "succeeded"
        case .rolledBack: "rolledBack"
        case .superseded: "superseded"
        default: "unfinished"
        }
      outcomes[key, default: 0] += 1
    }
    for key in ["succeeded", "rolledBack", "superseded", "unfinished"] {
      #expect(outcomes[key, default: 0] > 0, "\(outcomes)")
    }
    // Some rollbacks fail for good, so the invariants about them are checked too.
    let stuck = (UInt64(0)..<300).count { seed in
      if case .rolledBack(let reason) = Self.run(seed: seed).phase {
        reason.contains("rollback failed on")
      } else {
        false
      }
    }
    #expect(stuck > 0)
  }

  /// Runs one random sequence, checking the invariants after every step; returns the last state.
  static func run(seed: UInt64) -> RolloutState {
    var rng = SplitMix64(seed: seed)
    let (policy, sites) = randomFleet(&rng)
    let engine = RolloutEngine(policy: policy)
    let lastGood: String? = Int.random(in: 0..<4, using: &rng) == 0 ? nil : "r0"
    var now = origin
    var (state, actions) = engine.start(
      revision: "r1", lastGoodRevision: lastGood, sites: sites, at: now)
    let waveOf = Dictionary(
      uniqueKeysWithValues: state.waves.enumerated().flatMap { index, wave in
        wave.sites.map { ($0.name, index) }
      })
    var failedOnce = false
    var old = state

    func check(_ step: Int) {
      let context = Comment(rawValue: "seed \(seed), step \(step)")
      for (index, wave) in state.waves.enumerated() {
        let slots = max(1, policy.waves[index].maxConcurrent.resolved(total: wave.sites.count))
        #expect(
          wave.sites.count(where: { $0.phase.isInFlight }) <= slots, context)
      }
      if case .rollingBack = state.phase { failedOnce = true }
      if case .rolledBack = state.phase { failedOnce = true }
      for action in actions {
        switch action {
        case .apply(let site, let revision):
          #expect(revision == "r1", context)
          #expect(!failedOnce, context)
          #expect(!state.paused, context)
          guard let wave = waveOf[site] else {
            Issue.record("apply for a site in no wave: \(site), \(context)")
            continue
          }
          #expect(state.phase == .running(wave: wave), context)
          for earlier in 0..<wave {
            #expect(state.waves[earlier].sites.allSatisfy { $0.phase.isSettled }, context)
          }
        case .rollback(let site, let revision):
          #expect(revision == lastGood, context)
          #expect(waveOf[site] != nil, context)
        case .checkHealth(let site):
          #expect(waveOf[site] != nil, context)
        case .prestage:
          Issue.record("pre-staging without the policy's switch, \(context)")
        }
      }
      if old.phase.isFinished {
        #expect(state == old && actions.isEmpty, context)
      }
      // A site whose rollback failed stays failed, and the finished rollout names it.
      let stuck = state.waves.flatMap(\.sites).filter {
        if case .failed(let why) = $0.phase { why.hasPrefix("rollback failed: ") } else { false }
      }
      if !stuck.isEmpty { #expect(failedOnce && lastGood != nil, context) }
      for site in old.waves.flatMap(\.sites) {
        if case .failed(let why) = site.phase, why.hasPrefix("rollback failed: ") {
          #expect(state.phase(of: site.name) == site.phase, context)
        }
      }
      if case .rolledBack(let reason) = state.phase, lastGood != nil {
        let named = stuck.map(\.name).joined(separator: ", ")
        if stuck.isEmpty {
          #expect(!reason.contains("rollback failed on"), context)
        } else {
          #expect(reason.hasSuffix("; rollback failed on " + named), context)
        }
      }
    }

    check(0)
    let names = sites.map(\.name)
    let waveNames = policy.waves.map(\.name)
    for step in 1...Int.random(in: 1...250, using: &rng) {
      now = now.addingTimeInterval(Double(Int.random(in: 0...20, using: &rng)))
      let event = randomEvent(
        &rng, state: state, names: names, waves: waveNames, now: now)
      old = state
      (state, actions) = engine.reduce(state, event)
      if case .rollbackFailed = event { #expect(actions.isEmpty, "seed \(seed), step \(step)") }
      check(step)
    }
    return state
  }
}

/// Health statuses as the tests pick them (the test target does not depend on Health).
enum HealthStatusChoice: CaseIterable {
  case current, inProgress, failed, unknown

  func event(_ site: String, _ at: Date) -> RolloutEvent {
    switch self {
    case .current: .health(site: site, status: .current, at: at)
    case .inProgress: .health(site: site, status: .inProgress, at: at)
    case .failed: .health(site: site, status: .failed, at: at)
    case .unknown: .health(site: site, status: .unknown, at: at)
    }
  }
}
