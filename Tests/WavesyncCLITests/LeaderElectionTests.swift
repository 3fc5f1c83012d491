import Foundation
import KubeClient
import LocalFleet
import Model
import Synchronization
import Testing
import WavesyncTesting

@testable import Controller

extension RolloutCLITests {
  /// Leader election of controller replicas through a Lease in the regional cluster. Candidates
  /// run in this process, each with a client of its own; the durations are short (a 4 s lease),
  /// and nothing asserts how fast anything happened, only who holds the lease, how often it
  /// changed hands and in which order bodies started and ended.
  @Suite struct LeaderElectionTests {

    let leases: RegionalLeases

    let timing: LeaderElectionTiming

    init() throws {
      leases = RegionalLeases(try RolloutFleet.environment.fleet)
      timing = try LeaderElectionTiming(
        leaseDuration: .seconds(4), renewDeadline: .seconds(3), retryPeriod: .milliseconds(500))
    }

    @Test func oneCandidateTakesTheLeaseRenewsItAndLetsGo() async throws {
      let name = uniqueName("lease")
      let journal = Journal()
      let client = leases.client()
      let elector = LeaderElector(
        client: client, namespace: "default", name: name, identity: "replica-a",
        timing: timing, report: journal.recorder("a"))

      let (first, last) = try await elector.runWhileLeader {
        let first = try await leases.lease(name)
        try await eventually("two renewals") { journal.count("a renewed") >= 2 }
        return (first, try await leases.lease(name))
      }
      #expect(first.holder == "replica-a")
      #expect(first.transitions == 0)
      #expect(first.durationSeconds == 4)
      #expect(last.holder == "replica-a")
      #expect(last.transitions == 0)
      #expect(last.acquireTime == first.acquireTime)
      #expect(last.renewTime != first.renewTime, "renewTime \(first.renewTime ?? "") did not move")
      let microTime = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z/
      #expect(
        first.renewTime?.wholeMatch(of: microTime) != nil, "renewTime \(first.renewTime ?? "")")

      // Let go: no holder, so the next candidate needs not wait; the count of transitions stays.
      let released = try await leases.lease(name)
      #expect(released.holder == "")
      #expect(released.transitions == 0)
      #expect(journal.entries.first == "a acquired from nobody, transitions 0")
      #expect(journal.entries.last == "a released")

      // Taking it cost a discovery read, a GET and a create; each renewal one conditional write,
      // no read before it; letting go one write.
      let renewals = journal.count("a renewed")
      #expect(client.stats.writeRequests == renewals + 2, "\(client.stats), \(renewals) renewals")
      #expect(client.stats.requests == client.stats.writeRequests + 2, "\(client.stats)")
    }

    @Test func ofTwoCandidatesOneLeadsAndTheOtherTakesOverWhenItLetsGo() async throws {
      let name = uniqueName("lease")
      let journal = Journal()
      let tasks = ["a", "b"].map { candidate($0, lease: name, journal: journal) }
      defer { for task in tasks { task.cancel() } }

      let leader = try await eventually("a body started") { _ in
        ["a", "b"].first { journal.contains("\($0) started") }
      }
      let follower = leader == "a" ? "b" : "a"
      let (leaderIndex, followerIndex) = leader == "a" ? (0, 1) : (1, 0)
      try await eventually("\(follower) following \(leader)") {
        journal.contains("\(follower) following replica-\(leader)")
      }
      // While the leader renews, the follower only follows.
      let renewedBefore = journal.count("\(leader) renewed")
      try await eventually("two more renewals") {
        journal.count("\(leader) renewed") >= renewedBefore + 2
      }
      #expect(!journal.contains("\(follower) started"), "\(journal.entries)")
      #expect(try await leases.lease(name).holder == "replica-\(leader)")

      tasks[leaderIndex].cancel()
      try await tasks[leaderIndex].value
      try await eventually("\(follower) body started") { journal.contains("\(follower) started") }
      // It took the released lease (no holder), not one that ran out.
      #expect(journal.contains("\(follower) acquired from nobody-released, transitions 1"))
      #expect(
        journal.happened("\(leader) released", before: "\(follower) started"), "\(journal.entries)")
      #expect(
        journal.happened("\(leader) ended", before: "\(leader) released"), "\(journal.entries)")
      let lease = try await leases.lease(name)
      #expect(lease.holder == "replica-\(follower)")
      #expect(lease.transitions == 1)

      tasks[followerIndex].cancel()
      try await tasks[followerIndex].value
      #expect(try await leases.lease(name).holder == "")
    }

    @Test func aLeaderThatStopsWithoutLettingGoIsReplacedOnceTheLeaseRunsOut() async throws {
      let name = uniqueName("lease")
      let journal = Journal()
      // A leader that does not let go stops like a replica that dies: its renewals just end.
      let first = candidate("a", lease: name, journal: journal, releasesOnExit: false)
      try await eventually("a body started") { journal.contains("a started") }

      let second = candidate("b", lease: name, journal: journal)
      defer { second.cancel() }
      try await eventually("b following a") { journal.contains("b following replica-a") }
      // a keeps renewing for longer than the lease lasts (ten renewals, half a second apart at
      // the least, against four seconds): b keeps waiting.
      let renewedBefore = journal.count("a renewed")
      try await eventually("ten more renewals of a") {
        journal.count("a renewed") >= renewedBefore + 10
      }
      #expect(!journal.contains("b started"), "\(journal.entries)")

      first.cancel()
      try await first.value
      let abandoned = try await leases.lease(name)
      #expect(abandoned.holder == "replica-a", "replica-a let go of the lease")
      #expect(!journal.contains("a released"))

      try await eventually("b body started") { journal.contains("b started") }
      #expect(journal.contains("b acquired from replica-a, transitions 1"), "\(journal.entries)")
      #expect(journal.happened("a renewed", before: "b started"), "\(journal.entries)")
      #expect(journal.happened("a ended", before: "b started"), "\(journal.entries)")
      let lease = try await leases.lease(name)
      #expect(lease.holder == "replica-b")
      #expect(lease.transitions == 1)
      #expect(lease.acquireTime != abandoned.acquireTime)
    }

    /// A holder whose clock is an hour behind writes renewTimes an hour old; a waiting candidate
    /// that believed them would take over at once. It counts on its own clock instead, from the
    /// last change it saw, so it waits as long as the holder keeps writing.
    @Test func aCandidateTrustsItsOwnClockNotTheHoldersRenewTime() async throws {
      let name = uniqueName("lease")
      let journal = Journal()
      let client = leases.client()
      let hourAgo = Date().addingTimeInterval(-3600)
      var lease = try await client.create(
        Self.lease(name, holder: "skewed", renewTime: hourAgo, durationSeconds: 3))

      let task = candidate("b", lease: name, journal: journal)
      defer { task.cancel() }
      try await eventually("b following skewed") { journal.contains("b following skewed") }

      // The skewed holder renews for twice as long as its lease lasts, every write conditional:
      // none may find the lease taken.
      for renewal in 1...12 {
        try await Task.sleep(for: .milliseconds(500))
        lease[path: ["spec", "renewTime"]] = .string(
          LeaseRecord.microTime(hourAgo.addingTimeInterval(Double(renewal))))
        lease = try await client.replace(lease)
        journal.note("skewed renewed")
      }
      #expect(!journal.contains("b started"))
      try await eventually("b body started") { journal.contains("b started") }
      #expect(journal.happened("skewed renewed", before: "b started"), "\(journal.entries)")
      #expect(journal.contains("b acquired from skewed, transitions 1"), "\(journal.entries)")
      #expect(try await leases.lease(name).holder == "replica-b")
    }

    @Test func aLeaderWhoseLeaseIsTakenStopsItsBody() async throws {
      let name = uniqueName("lease")
      let journal = Journal()
      let task = candidate("a", lease: name, journal: journal)
      try await eventually("a body started") { journal.contains("a started") }

      // Someone else takes the lease by a conditional write over what it read (again when a
      // renewal came in between).
      let client = leases.client()
      _ = try await eventually("the usurper's write") { note -> Bool? in
        var lease = try #require(try await client.get(Self.reference(name)))
        lease[path: ["spec", "holderIdentity"]] = "usurper"
        lease[path: ["spec", "leaseDurationSeconds"]] = 60
        lease[path: ["spec", "leaseTransitions"]] = 1
        do {
          _ = try await client.replace(lease)
          return true
        } catch {
          guard case KubeError.conflict = error else { throw error }
          note("\(error)")
          return nil
        }
      }

      let error = await #expect(throws: LeaderElectionError.self) { try await task.value }
      guard case .lost(let leaseName, let reason)? = error else {
        Issue.record("not a loss of leadership: \(String(describing: error))")
        return
      }
      #expect(leaseName == "coordination.k8s.io/Lease default/\(name)")
      #expect(reason == "usurper holds the lease now")
      #expect(journal.contains("a lost: usurper holds the lease now"))
      #expect(
        journal.happened("a lost: usurper holds the lease now", before: "a ended"),
        "\(journal.entries)")
      // It neither wrote over the new holder nor let go of a lease no longer its own.
      let after = try await leases.lease(name)
      #expect(after.holder == "usurper")
      #expect(after.transitions == 1)
      #expect(!journal.contains("a released"))
    }

    /// The API server goes away under the leader: it cannot renew, so at the renew deadline it
    /// stops its body, before any other candidate could count the lease as run out.
    @Test func aLeaderThatCannotRenewGivesUpAtTheRenewDeadline() async throws {
      let name = uniqueName("lease")
      let journal = Journal()
      let task = candidate("a", lease: name, journal: journal)
      try await eventually("a body started") { journal.contains("a started") }

      let error = try await leases.fleet.withClusterStopped(RolloutFleet.regional) {
        await #expect(throws: LeaderElectionError.self) { try await task.value }
      }
      guard case .lost(_, let reason)? = error else {
        Issue.record("not a loss of leadership: \(String(describing: error))")
        return
      }
      #expect(reason.hasPrefix("not renewed within 3.0 seconds: "), "\(reason)")
      #expect(journal.contains("a lost: \(reason)"), "\(journal.entries)")
      #expect(journal.happened("a lost: \(reason)", before: "a ended"), "\(journal.entries)")
      #expect(!journal.contains("a released"))
      #expect(try await leases.lease(name).holder == "replica-a")
    }

    @Test func aLeaseInAMissingNamespaceIsAnErrorNotAWait() async throws {
      let elector = LeaderElector(
        client: leases.client(), namespace: uniqueName("absent"), name: "wavesync-fleet-x",
        timing: timing)
      let error = await #expect(throws: LeaderElectionError.self) {
        try await elector.runWhileLeader { Issue.record("the body ran") }
      }
      guard case .unusable(let lease, let reason)? = error else {
        Issue.record("not an unusable lease: \(String(describing: error))")
        return
      }
      #expect(lease.hasSuffix("/wavesync-fleet-x"))
      #expect(reason.contains("not found"), "\(reason)")
    }

    @Test func durationsThatCannotKeepTwoHoldersApartAreRefused() {
      #expect(throws: InvalidLeaderElectionTiming.self) {
        try LeaderElectionTiming(
          leaseDuration: .seconds(4), renewDeadline: .seconds(4), retryPeriod: .seconds(1))
      }
      #expect(throws: InvalidLeaderElectionTiming.self) {
        try LeaderElectionTiming(
          leaseDuration: .seconds(15), renewDeadline: .seconds(10), retryPeriod: .seconds(9))
      }
      #expect(throws: InvalidLeaderElectionTiming.self) {
        try LeaderElectionTiming(
          leaseDuration: .milliseconds(900), renewDeadline: .milliseconds(500),
          retryPeriod: .milliseconds(100))
      }
      #expect(LeaderElectionTiming.standard.leaseDuration == .seconds(15))
    }

    // MARK: Support

    /// Candidate `replica-<id>` for the lease, running a body that notes when it starts and ends
    /// and otherwise waits to be cancelled.
    func candidate(
      _ id: String, lease name: String, journal: Journal, releasesOnExit: Bool = true
    ) -> Task<Void, any Error> {
      let elector = LeaderElector(
        client: leases.client(), namespace: "default", name: name, identity: "replica-\(id)",
        timing: timing, releasesOnExit: releasesOnExit, report: journal.recorder(id))
      return Task { try await elector.runWhileLeader { await journal.runUntilCancelled(id) } }
    }

    static func reference(_ name: String) -> ObjectReference {
      ObjectReference(
        apiVersion: "coordination.k8s.io/v1", kind: "Lease", namespace: "default", name: name)
    }

    static func lease(_ name: String, holder: String, renewTime: Date, durationSeconds: Int64)
      -> Value
    {
      [
        "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
        "metadata": ["name": .string(name), "namespace": "default"],
        "spec": [
          "holderIdentity": .string(holder), "leaseDurationSeconds": .int(durationSeconds),
          "acquireTime": .string(LeaseRecord.microTime(renewTime)),
          "renewTime": .string(LeaseRecord.microTime(renewTime)),
        ],
      ]
    }
  }
}

/// Clients of the rollout fleet's regional cluster, and the Leases as they stand there.
struct RegionalLeases: Sendable {
  let fleet: EnvtestFleet

  init(_ fleet: EnvtestFleet) { self.fleet = fleet }

  /// A client of its own, so its request counts are the candidate's alone.
  func client() -> KubeClient { fleet.client(for: RolloutFleet.regional) }

  func lease(_ name: String) async throws -> LeaseRecord {
    let reference = RolloutCLITests.LeaderElectionTests.reference(name)
    return LeaseRecord(
      lease: try #require(try await client().get(reference), "no Lease default/\(name)"))
  }
}

/// What the candidates reported and did, in the order it happened.
final class Journal: Sendable {
  private let lines = Mutex<[String]>([])

  var entries: [String] { lines.withLock { $0 } }

  func note(_ line: String) { lines.withLock { $0.append(line) } }

  func contains(_ line: String) -> Bool { index(line) != nil }
  func count(_ line: String) -> Int { entries.count { $0 == line } }
  func index(_ line: String) -> Int? { entries.firstIndex(of: line) }

  /// Both were noted, and the last `earlier` before the first `later`.
  func happened(_ earlier: String, before later: String) -> Bool {
    let entries = entries
    guard let earlier = entries.lastIndex(of: earlier), let later = entries.firstIndex(of: later)
    else { return false }
    return earlier < later
  }

  /// Notes a candidate's events as "<id> <event>".
  func recorder(_ id: String) -> @Sendable (LeaderElectionEvent) -> Void {
    { event in
      switch event {
      case .following(let holder): self.note("\(id) following \(holder)")
      case .acquired(let previous, let transitions):
        let from = previous.map { $0.isEmpty ? "nobody-released" : $0 } ?? "nobody"
        self.note("\(id) acquired from \(from), transitions \(transitions)")
      case .renewed: self.note("\(id) renewed")
      case .attemptFailed(let reason): self.note("\(id) attempt failed: \(reason)")
      case .lost(let reason): self.note("\(id) lost: \(reason)")
      case .released: self.note("\(id) released")
      }
    }
  }

  /// A leader's body: notes that it started, waits to be cancelled (or the hang timeout), notes
  /// that it ended.
  func runUntilCancelled(_ id: String) async {
    note("\(id) started")
    try? await Task.sleep(for: hangTimeout)
    note("\(id) ended")
  }
}
