import Foundation
import Testing
import WavesyncTesting

// The uplink budget in a rollout of the local fleet whose images are sized from a real
// registry: every store in one wave that allows all of them at once, a budget that fits only two
// stores' downlinks, and the record's start and finish times showing which stores held a share
// when.
extension RolloutCLITests {
  /// A store in flight holds its downlink of the budget from its first apply until its payload
  /// arrived or it was healthy (the engine's rule); `at` is inside it when start <= at < end, as
  /// the engine starts a store on the very event that settles another.
  struct HeldShare {
    var site: String
    var bitsPerSecond: Int64
    var start: Date
    var end: Date
  }

  static let budgetBitsPerSecond: Int64 = 40_000_000
  /// rest-2's link is the thinnest: with its payload known, its transfer is the longest.
  static func downlinkBitsPerSecond(_ site: String) -> Int64 {
    site == "rest-2" ? 10_000_000 : 20_000_000
  }

  @Test func theStoresInFlightNeverHoldMoreThanTheUplinkBudget() async throws {
    let registry = try await LocalRegistry()
    defer { registry.stop() }
    let pusher = RegistryPusher(registry)
    let base = try await pusher.pushLayer(size: 300_000, repository: "till")
    let old = try await pusher.pushLayer(size: 100_000, repository: "till")
    let new = try await pusher.pushLayer(size: 200_000, repository: "till")
    _ = try await pusher.pushImage(repository: "till", tag: "1.0", layers: [base, old])
    _ = try await pusher.pushImage(repository: "till", tag: "2.0", layers: [base, new])

    let oneWave = RolloutRepository.replacing(
      """
          waves:
          - name: canary
            selector: ring=canary
          - name: early
            selector: ring=early
          - name: rest
            selector: ring=rest
            maxConcurrent: 2

      """,
      with: "    waves:\n    - name: stores\n      selector: ring\n      maxConcurrent: 5\n")
    let budget = RolloutRepository.replacing(
      "  rollout:\n",
      with: "  rollout:\n    uplinkBudget: \(Self.budgetBitsPerSecond / 1_000_000)Mbps\n")
    let repo = try RolloutRepository(
      try fleet, "budget", policy: { try budget(oneWave($0)) },
      site: { site, text in
        text.replacingOccurrences(
          of: "spec:\n",
          with:
            "spec:\n  link:\n    downlink: \(Self.downlinkBitsPerSecond(site) / 1_000_000)Mbps\n")
      })
    let sized = ["--registry", "--registry-plain-http", registry.host]
    func rollout() async throws -> ProcessResult {
      try await repo.wavesync(
        [
          "rollout", "--tick-interval", RolloutRepository.tickInterval, "--poll-interval", "0",
        ] + sized, repository: true)
    }
    _ = try repo.commit(image: "\(registry.host)/till:1.0")
    let first = try await rollout()
    try #require(first.status == 0, "\(first)")

    let newImage = "\(registry.host)/till:2.0"
    let revision = try repo.commit(image: newImage)
    let result = try await rollout()
    #expect(result.status == 0, "\(result)")
    // Every payload was sized: none is scheduled as an unknown.
    #expect(!result.output.contains("cannot size"), "\(result)")

    let record = try await repo.record()
    let current = try #require(record.current)
    #expect(current.revision == revision)
    #expect(current.phase.name == "succeeded", "\(record.summary)")
    for site in RolloutFleet.sites {
      #expect(try await repo.inventoryRevision(site) == revision, "inventory of \(site)")
      #expect(try await repo.image(site) == newImage, "Deployment on \(site)")
    }
    // Known payloads order the wave: the longest transfer (the thinnest link) first. Unknown
    // ones would all count as the longest, in policy order.
    let wave = try #require(current.wave("stores"))
    #expect(wave.sites.first?.name == "rest-2", "\(record.summary)")

    let held = try wave.sites.map { site in
      let start = try #require(site.firstAttemptAt, "\(site.name) never started")
      let healthy = try #require(site.healthyAt, "\(site.name) is \(site.phase)")
      return HeldShare(
        site: site.name, bitsPerSecond: Self.downlinkBitsPerSecond(site.name), start: start,
        end: site.transferredAt ?? healthy)
    }
    // As many stores as the thinnest links fit in the budget: fewer than the wave allows.
    var allowed = 0
    var thinnest: Int64 = 0
    for rate in held.map(\.bitsPerSecond).sorted() where thinnest + rate <= Self.budgetBitsPerSecond
    {
      thinnest += rate
      allowed += 1
    }
    #expect(allowed == 2)

    // Every instant a share is taken is where the sum in flight peaks.
    var mostStores = 0
    for instant in Set(held.map(\.start)) {
      let inFlight = held.filter { $0.start <= instant && instant < $0.end }
      let sum = inFlight.map(\.bitsPerSecond).reduce(0, +)
      #expect(
        sum <= Self.budgetBitsPerSecond,
        "at \(instant): \(inFlight.map(\.site)) hold \(sum) bit/s of \(Self.budgetBitsPerSecond)")
      mostStores = max(mostStores, inFlight.count)
    }
    // The budget bound: it was full at some instant, and the stores started in several batches.
    #expect(mostStores == allowed, "\(held)")
    let batches = Set(held.map(\.start)).count
    #expect(batches >= (held.count + allowed - 1) / allowed, "\(held)")
    // rest-2 went first, with the next store in order (the only other one that fit).
    let firstBatch = held.filter { $0.start == held.map(\.start).min() }.map(\.site)
    #expect(Set(firstBatch) == Set(wave.sites.prefix(2).map(\.name)), "\(held)")
  }
}
