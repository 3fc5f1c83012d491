import Foundation
import Model
import Rollout
import Testing

/// Milliseconds since 1970, to compare scheduled instants exactly.
func ms(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

@Suite("Transfer scheduling")
struct TransferScheduleTests {
  static let now = utc("2025-06-02T12:00:00Z")  // a Monday
  static let t0 = ms(now)

  func offsets(_ transfers: [ScheduledTransfer]) -> [String: (Int64, Int64, Int64)] {
    Dictionary(
      uniqueKeysWithValues: transfers.map {
        ($0.site, (ms($0.start) - Self.t0, ms($0.end) - Self.t0, $0.bytesPerSecond))
      })
  }

  @Test func twoTransfersShareTheBudget() throws {
    let sites = [site("a", downlink: "1Gbps"), site("b", downlink: "1Gbps")]
    let transfers = TransferScheduler.schedule(
      sites, payloadBytes: { _ in 50_000_000 }, uplinkBudget: BitRate(parsing: "100Mbps"),
      maxConcurrent: 2, now: Self.now)
    #expect(transfers.map(\.site) == ["a", "b"])
    for transfer in transfers {
      #expect(ms(transfer.start) - Self.t0 == 0)
      #expect(ms(transfer.end) - Self.t0 == 8_000)
      #expect(transfer.bytesPerSecond == 6_250_000)
    }
  }

  @Test func oneSlotRunsThemInTurn() {
    let sites = [site("a", downlink: "1Gbps"), site("b", downlink: "1Gbps")]
    let result = offsets(
      TransferScheduler.schedule(
        sites, payloadBytes: { _ in 50_000_000 }, uplinkBudget: BitRate(parsing: "100Mbps"),
        maxConcurrent: 1, now: Self.now))
    #expect(result["a"]! == (0, 4_000, 12_500_000))
    #expect(result["b"]! == (4_000, 8_000, 12_500_000))
  }

  @Test func remainingTransfersSpeedUpWhenOneFinishes() {
    let sites = [site("small", downlink: "1Gbps"), site("large", downlink: "1Gbps")]
    let payloads = ["small": Int64(25_000_000), "large": 75_000_000]
    let simulation = TransferScheduler.simulate(
      sites, payloadBytes: { payloads[$0.name]! }, uplinkBudget: BitRate(parsing: "100Mbps"),
      maxConcurrent: 2, now: Self.now)
    let result = offsets(simulation.transfers)
    // Both at 6.25 MB/s for 4 s; then the large one alone at 12.5 MB/s for the last 50 MB.
    #expect(result["small"]! == (0, 4_000, 6_250_000))
    #expect(result["large"]! == (0, 8_000, 9_375_000))
    let large = simulation.segments.filter { $0.site == "large" }.map(\.bytesPerSecond)
    #expect(large == [6_250_000, 12_500_000])
  }

  @Test func slowSiteLeavesTheRestOfTheBudgetToOthers() {
    // 100 Mbps = 12.5 MB/s budget; the satellite link caps at 2 Mbps = 250 kB/s, the fast site
    // gets the remaining 12.25 MB/s rather than an equal 6.25 MB/s share.
    let sites = [site("satellite", downlink: "2Mbps"), site("fast", downlink: "1Gbps")]
    let payloads = ["satellite": Int64(2_000_000), "fast": 49_000_000]
    let result = offsets(
      TransferScheduler.schedule(
        sites, payloadBytes: { payloads[$0.name]! }, uplinkBudget: BitRate(parsing: "100Mbps"),
        maxConcurrent: 2, now: Self.now))
    #expect(result["fast"]! == (0, 4_000, 12_250_000))
    #expect(result["satellite"]! == (0, 8_000, 250_000))
  }

  @Test func downlinkCapsTheShare() {
    // Budget 100 Mbps shared by three: 10 Mbps cap for one, the others split 90 Mbps.
    let sites = [
      site("a", downlink: "10Mbps"), site("b", downlink: "1Gbps"), site("c"),
    ]
    let simulation = TransferScheduler.simulate(
      sites, payloadBytes: { _ in 1_000_000_000 }, uplinkBudget: BitRate(parsing: "100Mbps"),
      maxConcurrent: 3, now: Self.now)
    let first = Dictionary(
      uniqueKeysWithValues: simulation.segments.filter { $0.from == Self.now }.map {
        ($0.site, $0.bytesPerSecond)
      })
    #expect(first == ["a": 1_250_000, "b": 5_625_000, "c": 5_625_000])
  }

  @Test func withoutBudgetTheDownlinkIsTheRate() {
    let sites = [site("a", downlink: "8Mbps"), site("b", downlink: "16Mbps")]
    let result = offsets(
      TransferScheduler.schedule(
        sites, payloadBytes: { _ in 3_000_000 }, uplinkBudget: nil, maxConcurrent: 2,
        now: Self.now))
    #expect(result["a"]! == (0, 3_000, 1_000_000))
    #expect(result["b"]! == (0, 1_500, 2_000_000))
  }

  @Test func unlimitedSitesTransferInstantlyAndHoldNoSlot() {
    let sites = [site("x"), site("y"), site("z", downlink: "8Mbps")]
    let result = offsets(
      TransferScheduler.schedule(
        sites, payloadBytes: { _ in 5_000_000 }, uplinkBudget: nil, maxConcurrent: 1,
        now: Self.now))
    #expect(result["x"]! == (0, 0, Int64.max))
    #expect(result["y"]! == (0, 0, Int64.max))
    #expect(result["z"]! == (0, 5_000, 1_000_000))
  }

  @Test func closedSiteWaitsWhileLaterOnesProceed() {
    // "late" opens at 13:00Z; the others have no windows.
    let sites = [
      site("late", downlink: "8Mbps", [window([.monday], 13, hours: 1)]),
      site("b", downlink: "8Mbps"), site("c", downlink: "8Mbps"),
    ]
    let transfers = TransferScheduler.schedule(
      sites, payloadBytes: { _ in 10_000_000 }, uplinkBudget: nil, maxConcurrent: 1,
      now: Self.now)
    #expect(transfers.map(\.site) == ["b", "c", "late"])
    let result = offsets(transfers)
    #expect(result["b"]! == (0, 10_000, 1_000_000))
    #expect(result["c"]! == (10_000, 20_000, 1_000_000))
    #expect(result["late"]! == (3_600_000, 3_610_000, 1_000_000))
  }

  @Test func waitingSiteTakesTheFirstFreeSlotAfterItOpens() {
    // "late" opens 5 s from now while "long" still holds the only slot: it starts when that ends,
    // ahead of "after", because it comes first in the order.
    let sites = [
      site("long", downlink: "8Mbps"),
      site("late", downlink: "8Mbps", [window([.monday], 12, hours: 1)]),
      site("after", downlink: "8Mbps"),
    ]
    let start = Self.now.addingTimeInterval(-10)  // 11:59:50Z, "late" closed until 12:00
    let transfers = TransferScheduler.schedule(
      sites, payloadBytes: { _ in 20_000_000 }, uplinkBudget: nil, maxConcurrent: 1, now: start)
    #expect(transfers.map(\.site) == ["long", "late", "after"])
    #expect(transfers.map { ms($0.start) - ms(start) } == [0, 20_000, 40_000])
  }

  @Test func transferStartedInAWindowFinishesAfterItCloses() {
    // Window 12:00–12:00:05 expressed as a 5-second window; the transfer takes 10 s.
    let store = site(
      "s", downlink: "8Mbps",
      [MaintenanceWindow(days: [.monday], startMinute: 12 * 60, durationSeconds: 5)])
    let result = offsets(
      TransferScheduler.schedule(
        [store], payloadBytes: { _ in 10_000_000 }, uplinkBudget: nil, maxConcurrent: 1,
        now: Self.now))
    #expect(result["s"]! == (0, 10_000, 1_000_000))
  }

  @Test func sitesThatNeverOpenAreReported() {
    let never = site("never", [MaintenanceWindow(days: [], startMinute: 0, durationSeconds: 60)])
    let simulation = TransferScheduler.simulate(
      [never, site("ok", downlink: "8Mbps")], payloadBytes: { _ in 1_000_000 },
      uplinkBudget: nil, maxConcurrent: 1, now: Self.now)
    #expect(simulation.transfers.map(\.site) == ["ok"])
    #expect(simulation.neverOpen == ["never"])
  }

  @Test func endsAreRoundedToMilliseconds() {
    let result = offsets(
      TransferScheduler.schedule(
        [site("a", downlink: "24bps")], payloadBytes: { _ in 1 }, uplinkBudget: nil,
        maxConcurrent: 1, now: Self.now))
    #expect(result["a"]! == (0, 333, 3))
  }

  /// A deterministic mixed fleet: every invariant holds at every event.
  @Test(arguments: [1, 3, 7])
  func invariantsOnAMixedFleet(maxConcurrent: Int) throws {
    var seed: UInt64 = 0x5EED
    func next(_ bound: Int) -> Int {
      seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int((seed >> 33) % UInt64(bound))
    }
    let zones = [nil, "Europe/Paris", "America/Anchorage", "Australia/Sydney", "Pacific/Auckland"]
    let links = [nil, "2Mbps", "20Mbps", "100Mbps", "1Gbps"]
    var sites: [Site] = []
    var payloads: [String: Int64] = [:]
    for index in 0..<40 {
      let name = "store-\(index)"
      var windows: [MaintenanceWindow] = []
      if next(3) > 0 {
        windows.append(
          MaintenanceWindow(
            days: [MaintenanceWindow.Day.allCases[next(7)]], startMinute: next(24 * 60),
            durationSeconds: Double(1 + next(6)) * 3600))
      }
      sites.append(
        site(name, zone: zones[next(zones.count)], downlink: links[next(links.count)], windows))
      payloads[name] = Int64(1 + next(200)) * 1_000_000
    }
    let budget = BitRate(parsing: "200Mbps")!
    let simulation = TransferScheduler.simulate(
      sites, payloadBytes: { payloads[$0.name]! }, uplinkBudget: budget,
      maxConcurrent: maxConcurrent, now: Self.now)
    let transfers = simulation.transfers
    // Not vacuous: some sites had to wait for a window, some transfers shared the budget.
    #expect(transfers.contains { $0.start > Self.now.addingTimeInterval(3600) })
    #expect((simulation.segments.count > transfers.count) == (maxConcurrent > 1))
    #expect(Set(transfers.map(\.site)) == Set(sites.map(\.name)))
    #expect(transfers.map(\.start) == transfers.map(\.start).sorted())
    let bySite = Dictionary(uniqueKeysWithValues: sites.map { ($0.name, $0) })
    for transfer in transfers {
      let store = try #require(bySite[transfer.site])
      #expect(transfer.end >= transfer.start)
      // Starts only inside a window (start times are rounded to the millisecond).
      #expect(MaintenanceCalendar.isOpen(store, at: transfer.start.addingTimeInterval(0.001)))
      // bytes = average rate × duration, within the millisecond rounding.
      let seconds = transfer.end.timeIntervalSince(transfer.start)
      let bytes = Double(transfer.bytesPerSecond) * seconds
      let payload = Double(payloads[transfer.site]!)
      #expect(abs(bytes - payload) <= Double(transfer.bytesPerSecond) * 0.002 + 1)
      // bytes = ∫ rate dt over the piecewise segments.
      let integral = simulation.segments.filter { $0.site == transfer.site }.reduce(0.0) {
        $0 + $1.bytesPerSecond * $1.to.timeIntervalSince($1.from)
      }
      #expect(abs(integral - payload) <= 16)  // Date arithmetic far from 2001 is exact to ~0.1 µs
    }
    // At every event instant: at most maxConcurrent in flight, the budget is never exceeded and
    // no transfer exceeds its downlink.
    let instants = Set(simulation.segments.map(\.from))
    for instant in instants {
      let inFlight = transfers.filter { $0.start <= instant && instant < $0.end }
      #expect(inFlight.count <= maxConcurrent)
      let live = simulation.segments.filter { $0.from <= instant && instant < $0.to }
      #expect(live.count <= maxConcurrent)
      let total = live.reduce(0.0) { $0 + $1.bytesPerSecond }
      #expect(total <= Double(budget.bytesPerSecond) * (1 + 1e-9))
      for segment in live {
        if let downlink = bySite[segment.site]?.downlink {
          #expect(segment.bytesPerSecond <= Double(downlink.bitsPerSecond) / 8 * (1 + 1e-9))
        }
      }
    }
    // Whenever a slot is free and a site was open and waiting, something is wrong: check at
    // every start/end instant that no waiting open site was skipped with a free slot.
    let events = Set(transfers.flatMap { [$0.start, $0.end] })
    for instant in events {
      let inFlight = transfers.filter { $0.start <= instant && instant < $0.end }.count
      guard inFlight < maxConcurrent else { continue }
      for transfer in transfers where transfer.start > instant {
        let store = try #require(bySite[transfer.site])
        #expect(
          !MaintenanceCalendar.isOpen(store, at: instant.addingTimeInterval(0.001)),
          "\(transfer.site) was open at \(instant) with a free slot")
      }
    }
  }
}
