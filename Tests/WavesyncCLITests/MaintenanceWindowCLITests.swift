import Foundation
import KubeClient
import Model
import Testing
import WavesyncTesting

// Maintenance windows in a rollout of the local fleet, with windows computed from now: a store
// whose window is closed waits (neither failed nor done, its next window in its status), an
// urgent commit and a rollback go to it at once.
extension RolloutCLITests {
  /// A daily window `HH:MM` (UTC) starting `offset` seconds from now, `hours` long.
  static func dailyWindow(from offset: TimeInterval, hours: Int) -> String {
    let start = Date().addingTimeInterval(offset)
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let parts = calendar.dateComponents([.hour, .minute], from: start)
    let hhmm = String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
    return """
        maintenanceWindows:
        - days: [Mon, Tue, Wed, Thu, Fri, Sat, Sun]
          start: "\(hhmm)"
          duration: \(hours)h

      """
  }

  /// A repository named `name` whose stores' windows are all open now but rest-1's, which
  /// opens in three hours.
  func repositoryWhereRestOneWaits(_ name: String) throws -> RolloutRepository {
    try RolloutRepository(
      try fleet, name,
      site: { site, text in
        let window =
          site == "rest-1"
          ? Self.dailyWindow(from: 3 * 3600, hours: 1) : Self.dailyWindow(from: -300, hours: 2)
        return text.replacingOccurrences(of: "spec:\n", with: "spec:\n" + window)
      })
  }

  @Test func aClosedWindowHoldsItsStoreUntilAnUrgentCommitOrARollback() async throws {
    let repo = try repositoryWhereRestOneWaits("windows")
    let first = repo.firstCommit
    let rollout = try repo.startRollout()
    _ = try await repo.eventuallyInRecord("rest-2 healthy, rest-1 waiting") { record in
      guard let current = record.current, current.revision == first,
        current.site("rest-2")?.healthyAt != nil, current.site("rest-1")?.phase.name == "pending"
      else { return nil as Bool? }
      return true
    }
    // Waiting is neither failure nor success: the rollout goes on, nothing reached rest-1.
    #expect(try await repo.record().current?.phase.name == "running")
    #expect(try await repo.inventoryRevision("rest-1") == nil)
    let regional = repo.fleet.client(for: RolloutFleet.regional)
    let fleetSites = try await regional.list(
      apiVersion: "wavesync.io/v1alpha1", kind: "FleetSite", namespace: "wavesync-system",
      labelSelector: "wavesync.io/fleet=\(repo.stateName)")
    let waiting = try #require(fleetSites.first { $0[path: ["spec", "site"]] == "rest-1" })
    let opens = try #require(waiting[path: ["status", "nextWindow"]]?.stringValue)
    let opensAt = try Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(opens)
    // The window starts at the minute three hours from now.
    #expect(abs(opensAt.timeIntervalSinceNow - 3 * 3600) < 120, "\(opens)")
    let status = try await repo.wavesync(
      ["status", "--sites", "--fleet", repo.stateName, "--namespace", "wavesync-system"],
      state: false)
    #expect(status.output.contains("waiting for its maintenance window"), "\(status)")
    rollout.terminate()
    _ = try await rollout.finish()

    // An urgent commit goes everywhere now, rest-1 included.
    let urgent = try repo.commit(
      image: Self.goodImage + "-urgent", trailers: "Wavesync-Urgent: true")
    let result = try await repo.rollout()
    #expect(result.status == 0, "\(result)")
    for site in RolloutFleet.sites {
      #expect(try await repo.inventoryRevision(site) == urgent, "inventory of \(site)")
    }
    // A rollback to the first commit (not urgent) ignores windows too.
    let back = try await repo.rollback(to: first)
    #expect(back.status == 0, "\(back)")
    for site in RolloutFleet.sites {
      #expect(try await repo.inventoryRevision(site) == first, "inventory of \(site)")
    }
  }
}
