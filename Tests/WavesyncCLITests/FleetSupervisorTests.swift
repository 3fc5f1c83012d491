import Controller
import Synchronization
import Testing
import WavesyncTesting

/// The controller's supervision of a namespace's Fleets, against a scripted list of Fleets: a
/// reconcile per Fleet that exists, started once, ended when its Fleet goes, started again when
/// it comes back; list failures reported once each and survived.
@Suite struct FleetSupervisorTests {
  /// The namespace as the supervisor sees it: the Fleets that exist (or the error a list
  /// answers), and the reconciles run, each until its Fleet is deleted or it is cancelled.
  final class ScriptedNamespace: Sendable {
    private struct State {
      var fleets: Set<String> = []
      var failure: FleetStateStoreError? = nil
      var starts: [String] = []
      var returned = 0
      var lists = 0
    }
    private let state = Mutex(State())
    let events = Mutex<[FleetSupervisorEvent]>([])

    func set(_ fleets: Set<String>, failing failure: FleetStateStoreError? = nil) {
      state.withLock {
        $0.fleets = fleets
        $0.failure = failure
      }
    }
    var starts: [String] { state.withLock { $0.starts } }
    /// Reconciles that have returned.
    var returned: Int { state.withLock { $0.returned } }
    var lists: Int { state.withLock { $0.lists } }

    func list() throws -> [String] {
      try state.withLock {
        $0.lists += 1
        if let failure = $0.failure { throw failure }
        return Array($0.fleets)
      }
    }

    /// A reconcile: runs while its Fleet exists, as `FleetService` does.
    func reconcile(_ fleet: String) async {
      state.withLock { $0.starts.append(fleet) }
      defer { state.withLock { $0.returned += 1 } }
      while !Task.isCancelled, state.withLock({ $0.fleets.contains(fleet) }) {
        do { try await Task.sleep(for: .milliseconds(5)) } catch { return }
      }
    }

    func supervisor(only: Set<String>? = nil) -> FleetSupervisor {
      FleetSupervisor(
        scanInterval: .milliseconds(10), only: only, listFleets: { try self.list() },
        runFleet: { await self.reconcile($0) },
        observe: { event in self.events.withLock { $0.append(event) } })
    }

    /// Waits until the supervisor listed `count` more times than now: what it acts on next has
    /// been seen.
    func scans(_ count: Int) async throws {
      let target = lists + count
      try await eventually("\(count) more lists of the Fleets") { lists >= target }
    }
  }

  @Test func aReconcileRunsPerFleetFromWhenItAppearsUntilItIsDeleted() async throws {
    let namespace = ScriptedNamespace()
    let supervision = Task { await namespace.supervisor().run() }
    try await namespace.scans(2)
    #expect(namespace.starts.isEmpty, "no Fleet yet: nothing runs, and the supervisor waits")

    namespace.set(["emea"])
    try await eventually("emea's reconcile") { namespace.starts == ["emea"] }
    namespace.set(["emea", "apac"])
    try await eventually("apac's reconcile") { namespace.starts.count == 2 }
    try await namespace.scans(3)
    #expect(namespace.starts.sorted() == ["apac", "emea"], "a running Fleet is not started twice")

    namespace.set(["apac"])
    try await eventually("emea's reconcile ends") {
      namespace.events.withLock { $0.contains(.ended("emea")) }
    }
    namespace.set(["apac", "emea"])
    try await eventually("emea, created again, reconciled again") {
      namespace.starts.filter { $0 == "emea" }.count == 2
    }

    supervision.cancel()
    await supervision.value
    #expect(namespace.returned == 3, "every reconcile returned before the supervisor did")
  }

  @Test func aFailingListIsReportedOnceAndTheReconcilesGoOn() async throws {
    let namespace = ScriptedNamespace()
    namespace.set(["emea"])
    let supervision = Task { await namespace.supervisor().run() }
    try await eventually("emea's reconcile") { namespace.starts == ["emea"] }

    namespace.set(["emea"], failing: .notInstalled("fleets.wavesync.io is not served"))
    try await namespace.scans(4)
    namespace.set(["emea", "apac"])
    try await eventually("apac's reconcile, once the list answers again") {
      namespace.starts.contains("apac")
    }
    #expect(
      !namespace.events.withLock { $0.contains(.ended("emea")) },
      "emea's reconcile ran on through the failed lists")
    supervision.cancel()
    await supervision.value

    let failures = namespace.events.withLock {
      $0.filter { if case .listFailed = $0 { true } else { false } }
    }
    #expect(
      failures == [
        .listFailed(
          "Wavesync's resources are not installed: fleets.wavesync.io is not served",
          notInstalled: true)
      ])
    #expect(namespace.starts == ["emea", "apac"], "emea was not started again")
  }

  @Test func namedFleetsAreTheOnlyOnesReconciledAndAwaitedUntilCreated() async throws {
    let namespace = ScriptedNamespace()
    namespace.set(["emea", "apac"])
    let supervision = Task { await namespace.supervisor(only: ["emea", "latam"]).run() }
    try await eventually("emea's reconcile") { namespace.starts == ["emea"] }
    try await namespace.scans(3)
    namespace.set(["emea", "apac", "latam"])
    try await eventually("latam's reconcile") { namespace.starts.contains("latam") }
    supervision.cancel()
    await supervision.value

    #expect(!namespace.starts.contains("apac"), "a Fleet not named is left alone")
    let awaiting = namespace.events.withLock {
      $0.filter { if case .awaiting = $0 { true } else { false } }
    }
    #expect(awaiting == [.awaiting(["latam"])], "a missing Fleet is reported once")
  }
}
