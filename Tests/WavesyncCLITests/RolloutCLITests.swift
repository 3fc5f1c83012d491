import Controller
import Foundation
import KubeClient
import LocalFleet
import Model
import Testing
import WavesyncTesting

/// `wavesync rollout`, `rollback`, `history`, `pause`, `resume`, `promote` and `plan` through
/// the built binary, against a fleet of real API servers: a regional cluster (the kubeconfig's
/// current context, which keeps the rollout state) and the five sites of
/// fixtures/rollout-fleet, each with a simulated kubelet (images tagged `broken` crash-loop).
/// Every test rolls out its own copy of the fixture (its own app, namespace and `--state-name`).
@Suite(
  "wavesync rollout and its controls", .serialized,
  .enabled(if: EnvtestFleet.binariesAvailable, "envtest binaries missing: run scripts/envtest.sh"),
  .rolloutFleet, .timeLimit(.minutes(10)))
struct RolloutCLITests {
  static let goodImage = "registry.local/till:1.0"
  /// The fixture's soak between waves, in seconds.
  static let soak: TimeInterval = 2
  static let maxConcurrent = ["canary": 1, "early": 1, "rest": 2]

  var fleet: EnvtestFleet { get throws { try RolloutFleet.environment.fleet } }

  // MARK: A good revision

  @Test func aGoodRevisionRollsThroughTheWavesInOrderWithItsGates() async throws {
    let repo = try RolloutRepository(try fleet, "good")
    let revision = repo.firstCommit

    let result = try await repo.rollout()
    #expect(result.status == 0, "\(result)")
    #expect(result.output.contains("Rolling out \(revision.prefix(12))"), "\(result)")

    let record = try await repo.record()
    let current = try #require(record.current)
    #expect(current.revision == revision)
    #expect(current.phase.name == "succeeded", "\(record.summary)")
    #expect(record.lastGoodRevision == revision)
    #expect(current.waves.map(\.name) == RolloutFleet.waves.map(\.name))
    for (wave, expected) in zip(current.waves, RolloutFleet.waves) {
      #expect(Set(wave.sites.map(\.name)) == Set(expected.sites), "wave \(wave.name)")
    }
    try Self.expectGatesHonoured(current, soak: Self.soak)

    #expect(record.history.count == 1, "\(record.summary)")
    let entry = try #require(record.history.first)
    #expect(entry.revision == revision)
    #expect(entry.outcome == "succeeded")
    #expect(entry.trigger == "newCommit")
    #expect(entry.waves.map(\.healthy) == [1, 2, 2])

    for site in RolloutFleet.sites {
      #expect(try await repo.inventoryRevision(site) == revision, "inventory of \(site)")
      #expect(try await repo.image(site) == Self.goodImage, "Deployment on \(site)")
    }

    // The record is where --fleet says, in the regional cluster: the Fleet and a FleetSite
    // per site.
    let regional = repo.fleet.client(for: RolloutFleet.regional)
    let stored = try await regional.get(
      ObjectReference(
        apiVersion: "wavesync.io/v1alpha1", kind: "Fleet", namespace: "wavesync-system",
        name: repo.stateName))
    #expect(stored != nil, "no Fleet wavesync-system/\(repo.stateName) in the regional cluster")
    #expect(stored?[path: ["status", "lastGoodRevision"]] == .string(revision))
    #expect(
      stored?[path: ["status", "conditions"]]?.arrayValue?.contains {
        $0["type"] == "Ready" && $0["status"] == "True" && $0["reason"] == "RolledOut"
      } == true, "\(String(describing: stored?["status"]))")
    let fleetSites = try await regional.list(
      apiVersion: "wavesync.io/v1alpha1", kind: "FleetSite", namespace: "wavesync-system",
      labelSelector: "wavesync.io/fleet=\(repo.stateName)")
    #expect(
      fleetSites.compactMap { $0[path: ["spec", "site"]]?.stringValue }.sorted()
        == RolloutFleet.sites.sorted())
    #expect(fleetSites.allSatisfy { $0[path: ["status", "appliedRevision"]] == .string(revision) })
  }

  // MARK: A broken revision

  @Test func aBrokenRevisionFailsInTheCanaryWaveAndIsRolledBack() async throws {
    let repo = try RolloutRepository(try fleet, "broken")
    let good = repo.firstCommit
    let first = try await repo.rollout()
    try #require(first.status == 0, "\(first)")

    let broken = try repo.commit(image: "registry.local/till:2.0-broken")
    let result = try await repo.rollout()
    #expect(result.status == 4, "\(result)")

    let record = try await repo.record()
    let current = try #require(record.current)
    #expect(current.revision == broken)
    #expect(current.phase.name == "rolledBack", "\(record.summary)")
    #expect(current.phase.fields.reason?.contains("canary") == true, "\(record.summary)")
    #expect(current.site("canary-1")?.phase.name == "rolledBack", "\(record.summary)")
    for site in ["early-1", "early-2", "rest-1", "rest-2"] {
      #expect(current.site(site)?.phase.name == "pending", "\(site): \(record.summary)")
      #expect(current.site(site)?.firstAttemptAt == nil, "\(site) was started")
    }
    #expect(record.isBad(broken))
    #expect(record.lastGoodRevision == good)
    #expect(record.history.count == 2)
    let entry = try #require(record.history.first)
    #expect(entry.revision == broken)
    #expect(entry.outcome == "rolledBack")
    #expect(entry.waves.map(\.rolledBack) == [1, 0, 0])
    #expect(entry.waves.map(\.untouched) == [0, 2, 2])

    // Later waves never received it; the canary is back.
    for site in RolloutFleet.sites {
      #expect(try await repo.inventoryRevision(site) == good, "inventory of \(site)")
      #expect(try await repo.image(site) == Self.goodImage, "Deployment on \(site)")
    }

    // Marked bad: a second rollout of it refuses at once and writes nothing.
    var marks: [String: [String]] = [:]
    for site in RolloutFleet.sites { marks[site] = try await repo.writeMarks(site) }
    let again = try await repo.rollout()
    #expect(again.status == 4, "\(again)")
    #expect(again.output.contains("marked bad"), "\(again)")
    let after = try await repo.record()
    #expect(after.history.count == 2, "\(after.summary)")
    #expect(after.current?.revision == broken)
    for site in RolloutFleet.sites {
      #expect(try await repo.writeMarks(site) == marks[site], "\(site) was written to")
    }

    // Object by object, every site is exactly at the previous revision.
    let diffs = try await withThrowingTaskGroup(of: (String, ProcessResult).self) { group in
      for site in RolloutFleet.sites {
        group.addTask {
          (
            site,
            try await repo.wavesync(
              ["diff", "--ref", good, "--site", site], repository: true, state: false)
          )
        }
      }
      var results: [String: ProcessResult] = [:]
      for try await (site, result) in group { results[site] = result }
      return results
    }
    for site in RolloutFleet.sites {
      #expect(diffs[site]?.status == 0, "diff of \(site): \(diffs[site].map { "\($0)" } ?? "")")
    }
  }

  // MARK: A controller killed in the middle of a wave

  @Test func aControllerKilledInTheMiddleOfAWaveResumesAndFinishes() async throws {
    let environment = try RolloutFleet.environment
    let repo = try RolloutRepository(environment.fleet, "resume")
    let revision = repo.firstCommit

    // Without its kubelet, early-2's pods stay Pending: the early wave holds with early-1
    // healthy and early-2 verifying for as long as the test needs.
    await environment.kubelets.stop("early-2")
    let rollout = try repo.startRollout()
    let killed: ProcessResult
    do {
      _ = try await repo.eventuallyInRecord("early-1 healthy, early-2 in flight") {
        record in
        guard let current = record.current, current.phase.name == "running",
          current.phaseWave == "early", current.site("early-1")?.healthyAt != nil,
          let other = current.site("early-2"), ["applying", "verifying"].contains(other.phase.name)
        else { return nil as Bool? }
        return true
      }
      rollout.kill()
      killed = try await rollout.finish()
    } catch {
      rollout.kill()
      await environment.kubelets.start("early-2")
      throw error
    }
    await environment.kubelets.start("early-2")
    #expect(killed.signalled && killed.status == SIGKILL, "\(killed)")

    let left = try await repo.record()
    #expect(left.current?.phase.name == "running", "\(left.summary)")
    #expect(left.history.isEmpty, "\(left.summary)")
    for site in ["rest-1", "rest-2"] {
      #expect(left.current?.site(site)?.firstAttemptAt == nil, "\(site): \(left.summary)")
    }

    let resumed = try await repo.rollout()
    #expect(resumed.status == 0, "\(resumed)")
    #expect(resumed.output.contains("Resuming"), "\(resumed)")

    let record = try await repo.record()
    let current = try #require(record.current)
    #expect(current.revision == revision)
    #expect(current.phase.name == "succeeded", "\(record.summary)")
    for site in current.sites {
      #expect(site.healthyAt != nil, "\(site.name) is \(site.phase)")
    }
    #expect(record.history.filter { $0.revision == revision }.count == 1, "\(record.summary)")
    #expect(record.history.count == 1, "\(record.summary)")
    #expect(record.history.first?.outcome == "succeeded")
    try Self.expectGatesHonoured(current, soak: Self.soak)
    let earlyDone = try #require(current.wave("early")?.sites.compactMap(\.healthyAt).max())
    for site in current.wave("rest")?.sites ?? [] {
      let started = try #require(site.firstAttemptAt)
      #expect(started >= earlyDone, "\(site.name) started before the early wave was done")
    }
    for site in RolloutFleet.sites {
      #expect(try await repo.inventoryRevision(site) == revision, "inventory of \(site)")
    }
  }

  // MARK: Unreachable sites

  @Test func anUnreachableSiteIsSkippedAndCaughtUpLater() async throws {
    let environment = try RolloutFleet.environment
    let repo = try RolloutRepository(
      environment.fleet, "skip",
      policy: {
        try RolloutRepository.replacing("healthTimeout: 60s", with: "healthTimeout: 8s")(
          try RolloutRepository.replacing(
            "unreachableSites: countAsFailed", with: "unreachableSites: skip")($0))
      })
    let revision = repo.firstCommit

    let (result, record, table) = try await environment.fleet.withClusterStopped("rest-2") {
      let result = try await repo.rollout()
      return (result, try await repo.record(), try await repo.wavesync(["history", "--sites"]))
    }
    #expect(result.status == 0, "\(result)")
    let current = try #require(record.current)
    #expect(current.phase.name == "succeeded", "\(record.summary)")
    let skipped = current.site("rest-2")
    #expect(skipped?.phase.name == "skipped", "\(record.summary)")
    #expect(skipped?.phase.fields.reason?.contains("unreachable") == true, "\(record.summary)")
    for site in current.sites where site.name != "rest-2" {
      #expect(site.healthyAt != nil, "\(site.name) is \(site.phase)")
    }
    #expect(record.behindSites == ["rest-2"])
    #expect(record.lastGoodRevision == revision)
    #expect(record.history.first?.outcome == "succeeded")
    #expect(record.history.first?.waves.last?.skipped == 1)
    #expect(table.output.contains("Behind the last good revision: rest-2"), "\(table)")
    #expect(try await repo.inventoryRevision("rest-2") == nil, "rest-2 received the app")

    // Back online: the same revision again catches up rest-2 alone.
    var marks: [String: [String]] = [:]
    for site in RolloutFleet.sites where site != "rest-2" {
      marks[site] = try await repo.writeMarks(site)
    }
    let catchUp = try await repo.rollout()
    #expect(catchUp.status == 0, "\(catchUp)")
    #expect(catchUp.output.contains("Catching up to \(revision.prefix(12))"), "\(catchUp)")
    let after = try await repo.record()
    #expect(after.history.count == 2, "\(after.summary)")
    let entry = try #require(after.history.first)
    #expect(entry.revision == revision)
    #expect(entry.trigger == "catchUp")
    #expect(entry.outcome == "succeeded")
    #expect(after.current?.sites.map(\.name) == ["rest-2"], "\(after.summary)")
    #expect(after.current?.site("rest-2")?.healthyAt != nil, "\(after.summary)")
    #expect(after.behindSites.isEmpty)
    #expect(try await repo.inventoryRevision("rest-2") == revision)
    #expect(try await repo.image("rest-2") == Self.goodImage)
    for site in RolloutFleet.sites where site != "rest-2" {
      #expect(try await repo.writeMarks(site) == marks[site], "\(site) was written to")
    }
  }

  @Test func anUnreachableSiteCountedAsFailedRollsItsWaveBack() async throws {
    let environment = try RolloutFleet.environment
    let repo = try RolloutRepository(
      environment.fleet, "unreachable",
      policy: RolloutRepository.replacing("healthTimeout: 60s", with: "healthTimeout: 8s"))
    let good = repo.firstCommit
    let first = try await repo.rollout()
    try #require(first.status == 0, "\(first)")
    let next = try repo.commit(image: "registry.local/till:2.0")

    let result = try await environment.fleet.withClusterStopped("rest-2") {
      let rollout = try repo.startRollout()
      _ = try await repo.eventuallyInRecord("rest-2 unreachable") { record in
        record.current?.site("rest-2")?.phase.name == "unreachable" ? true : nil
      }
      return rollout
    }
    // rest-2 is back before its health timeout ends, so only the policy fails it; its rollback
    // (and rest-1's) reach it.
    let ended = try await result.finish()
    #expect(ended.status == 4, "\(ended)")

    let record = try await repo.record()
    let current = try #require(record.current)
    #expect(current.revision == next)
    #expect(current.phase.name == "rolledBack", "\(record.summary)")
    #expect(current.phase.fields.reason?.contains("rest-2") == true, "\(record.summary)")
    #expect(current.phase.fields.reason?.contains("unreachable") == true, "\(record.summary)")
    for site in ["rest-1", "rest-2"] {
      #expect(current.site(site)?.phase.name == "rolledBack", "\(site): \(record.summary)")
      #expect(try await repo.inventoryRevision(site) == good, "inventory of \(site)")
      #expect(try await repo.image(site) == Self.goodImage, "Deployment on \(site)")
    }
    #expect(record.isBad(next))
    #expect(record.lastGoodRevision == good)
    #expect(record.history.first?.outcome == "rolledBack")
    #expect(record.history.first?.waves.last?.rolledBack == 2)
  }

  // MARK: Operator controls

  @Test func aManualGateWaitsForPromoteAndPauseHoldsSitesBack() async throws {
    let repo = try RolloutRepository(
      try fleet, "gate",
      policy: RolloutRepository.replacing(
        "      selector: ring=early\n", with: "      selector: ring=early\n      manualGate: true\n"
      ))
    let revision = repo.firstCommit
    let early = ["early-1", "early-2"]

    let nothing = try await repo.wavesync(["promote"])
    #expect(nothing.status == 1, "\(nothing)")
    #expect(nothing.errors.contains("no rollout is in progress"), "\(nothing)")

    let rollout = try repo.startRollout()
    let resumedAt: Date
    do {
      let waiting = try await repo.eventuallyInRecord("waiting at the gate of early") { record in
        record.current.flatMap { current in
          current.phase.name == "waitingForPromotion" && current.phaseWave == "early"
            ? current : nil
        }
      }
      #expect(waiting.site("canary-1")?.healthyAt != nil)
      for site in early {
        #expect(waiting.site(site)?.phase.name == "pending")
        #expect(try await repo.inventory(site) == nil, "\(site) was touched before promotion")
      }
      let table = try await repo.wavesync(["history", "--sites"])
      #expect(table.output.contains("waiting for promotion of wave early"), "\(table)")

      let pause = try await repo.wavesync(["pause"])
      #expect(pause.status == 0, "\(pause)")
      _ = try await repo.eventuallyInRecord("the rollout paused") { record in
        record.current?.paused == true ? true : nil
      }
      let promote = try await repo.wavesync(["promote"])
      #expect(promote.status == 0, "\(promote)")
      #expect(promote.output.contains("promoted wave early"), "\(promote)")
      _ = try await repo.eventuallyInRecord("the early wave running") { record in
        record.current.map { $0.phase.name == "running" && $0.phaseWave == "early" } == true
          ? true : nil
      }
      // Running but paused: no new site starts.
      let notWaiting = try await repo.wavesync(["promote"])
      #expect(notWaiting.status == 1, "\(notWaiting)")
      #expect(notWaiting.errors.contains("not waiting at a gate"), "\(notWaiting)")
      let pausedTable = try await repo.wavesync(["history"])
      #expect(pausedTable.output.contains("PAUSED"), "\(pausedTable)")
      let holdUntil = ContinuousClock.now + .seconds(3)
      while ContinuousClock.now < holdUntil {
        let record = try await repo.record()
        for site in early {
          #expect(record.current?.site(site)?.firstAttemptAt == nil, "\(site) started while paused")
        }
        try await Task.sleep(for: .milliseconds(500))
      }
      for site in early {
        #expect(try await repo.inventory(site) == nil, "\(site) was touched while paused")
      }

      resumedAt = Date()
      let resume = try await repo.wavesync(["resume"])
      #expect(resume.status == 0, "\(resume)")
      let result = try await rollout.finish()
      #expect(result.status == 0, "\(result)")
    } catch {
      rollout.kill()
      _ = try? await repo.wavesync(["resume"])
      throw error
    }

    let record = try await repo.record()
    let current = try #require(record.current)
    #expect(current.phase.name == "succeeded", "\(record.summary)")
    #expect(record.history.count == 1)
    #expect(record.history.first?.outcome == "succeeded")
    for site in early {
      let started = try #require(current.site(site)?.firstAttemptAt)
      // Dates in the JSON have whole seconds.
      #expect(started >= resumedAt.addingTimeInterval(-1), "\(site) started before resume")
    }
    for site in RolloutFleet.sites {
      #expect(try await repo.inventoryRevision(site) == revision, "inventory of \(site)")
    }

    let over = try await repo.wavesync(["promote"])
    #expect(over.status == 1, "\(over)")
    #expect(over.errors.contains("no rollout is in progress"), "\(over)")
  }

  @Test func pauseAndResumeWriteTheSpecOfTheNamedFleet() async throws {
    let repo = try RolloutRepository(try fleet, "controls")
    let regional = repo.fleet.client(for: RolloutFleet.regional)
    let missing = try await repo.wavesync(["pause"])
    #expect(missing.status == 1, "\(missing)")
    #expect(
      missing.errors.contains("Fleet wavesync-system/\(repo.stateName) does not exist"),
      "\(missing)")

    try await FleetSetup.ensureFleet(
      client: regional, namespace: "wavesync-system", name: repo.stateName, url: repo.repo.path,
      ref: nil, siteSelector: nil)
    let reference = ObjectReference(
      apiVersion: "wavesync.io/v1alpha1", kind: "Fleet", namespace: "wavesync-system",
      name: repo.stateName)
    let pause = try await repo.wavesync(["pause"])
    let paused = try await regional.get(reference)?[path: ["spec", "paused"]]
    let resume = try await repo.wavesync(["resume"])
    let resumed = try await regional.get(reference)?[path: ["spec", "paused"]]
    #expect(pause.status == 0, "\(pause)")
    #expect(resume.status == 0, "\(resume)")
    #expect(paused == true, "Fleet \(repo.stateName) after pause")
    #expect(resumed == false, "Fleet \(repo.stateName) after resume")
  }

  // MARK: Plan and rollback

  @Test func planListsTheWavesAndWhatEachSiteWouldChange() async throws {
    let repo = try RolloutRepository(try fleet, "plan")
    // Sites still hold the previous test's app, which this repository's rollout prunes: only
    // the creates are this test's to count.
    let before = try await repo.wavesync(["plan"], repository: true, state: false)
    #expect(before.status == 0, "\(before)")
    #expect(
      before.output.contains("Revision \(repo.firstCommit.prefix(12)): 5 sites in 3 waves"),
      "\(before)")
    for wave in RolloutFleet.waves {
      #expect(before.output.contains("wave \(wave.name) ("), "\(before)")
      for site in wave.sites {
        let row = Self.row(before.output, wave: wave.name, site: site)
        #expect(row?.contains("3 to create") == true, "\(site): \(row ?? "no row")\n\(before)")
      }
    }

    let rollout = try await repo.rollout()
    try #require(rollout.status == 0, "\(rollout)")
    let after = try await repo.wavesync(["plan"], repository: true, state: false)
    #expect(after.status == 0, "\(after)")
    for wave in RolloutFleet.waves {
      for site in wave.sites {
        let row = Self.row(after.output, wave: wave.name, site: site)
        #expect(row?.hasSuffix("no changes") == true, "\(site): \(row ?? "no row")\n\(after)")
      }
    }
  }

  @Test func rollbackReturnsEverySiteToAnEarlierRevision() async throws {
    let repo = try RolloutRepository(try fleet, "rollback")
    let first = repo.firstCommit
    let one = try await repo.rollout()
    try #require(one.status == 0, "\(one)")
    let second = try repo.commit(image: "registry.local/till:2.0")
    let two = try await repo.rollout()
    try #require(two.status == 0, "\(two)")
    for site in RolloutFleet.sites {
      #expect(try await repo.image(site) == "registry.local/till:2.0", "Deployment on \(site)")
    }

    let result = try await repo.rollback(to: first)
    #expect(result.status == 0, "\(result)")
    #expect(result.output.contains("Rolling back to \(first.prefix(12))"), "\(result)")

    let record = try await repo.record()
    let current = try #require(record.current)
    #expect(current.revision == first)
    #expect(current.phase.name == "succeeded", "\(record.summary)")
    #expect(record.lastGoodRevision == first)
    #expect(record.isBad(second), "\(record.badRevisions)")
    let entry = try #require(record.history.first)
    #expect(entry.revision == first)
    #expect(entry.trigger == "rollback")
    #expect(entry.outcome == "succeeded")
    for site in RolloutFleet.sites {
      #expect(try await repo.inventoryRevision(site) == first, "inventory of \(site)")
      #expect(try await repo.image(site) == Self.goodImage, "Deployment on \(site)")
    }
  }

  // MARK: Helpers

  /// Every site healthy; each wave starts after the previous one's last site became healthy
  /// plus the soak; never more sites of a wave in flight (first attempt to healthy) than its
  /// maxConcurrent. The JSON dates have whole seconds, which keeps these comparisons sound.
  static func expectGatesHonoured(_ state: RecordView.State, soak: TimeInterval) throws {
    var previousDone: Date? = nil
    for wave in state.waves {
      var intervals: [(site: String, start: Date, end: Date)] = []
      for site in wave.sites {
        let start = try #require(site.firstAttemptAt, "\(site.name) was never applied")
        let end = try #require(site.healthyAt, "\(site.name) is \(site.phase)")
        #expect(start <= end, "\(site.name)")
        #expect(start >= state.startedAt, "\(site.name) started before the rollout")
        intervals.append((site.name, start, end))
      }
      if let previousDone, let start = intervals.map(\.start).min() {
        #expect(
          start >= previousDone.addingTimeInterval(soak),
          "wave \(wave.name) started at \(start), before \(previousDone) + soak \(soak) s")
      }
      let limit = maxConcurrent[wave.name] ?? 1
      for interval in intervals {
        let overlapping = intervals.filter { $0.start <= interval.start && interval.start < $0.end }
        #expect(
          overlapping.count <= limit,
          "wave \(wave.name): \(overlapping.map(\.site)) in flight at once (max \(limit))")
      }
      previousDone = intervals.map(\.end).max() ?? previousDone
    }
  }

  /// The line of `plan`'s table for `site` of `wave`.
  static func row(_ output: String, wave: String, site: String) -> String? {
    output.split(separator: "\n").map {
      $0.trimmingCharacters(in: .whitespaces)
    }.first { line in
      let columns = line.split(separator: " ", omittingEmptySubsequences: true)
      return columns.count >= 2 && columns[0] == wave && columns[1] == site
    }
  }
}
