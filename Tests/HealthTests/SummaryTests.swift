import Health
import Testing

@Suite struct SummaryTests {
  let current = ObjectHealth(status: .current, reason: "RolloutComplete", message: "3 of 3")
  let updating = ObjectHealth(status: .inProgress, reason: "ReplicasUpdating", message: "1 of 3")
  let unknown = ObjectHealth(status: .unknown, reason: "NotFound", message: "gone")
  let crashing = ObjectHealth(status: .failed, reason: "CrashLoopBackOff", message: "crash")
  let deadline = ObjectHealth(
    status: .failed, reason: "ProgressDeadlineExceeded", message: "no progress")

  @Test func allCurrentIsCurrent() {
    let summary = Health.summarize([current, current, current])
    #expect(
      summary
        == ObjectHealth(
          status: .current, reason: "AllCurrent", message: "all 3 objects are current"))
  }

  @Test func noObjectsIsCurrent() {
    #expect(Health.summarize([]).status == .current)
    #expect(Health.summarize([]).reason == "NoObjects")
  }

  @Test func anyInProgressOrUnknownIsInProgress() {
    let summary = Health.summarize([current, updating, updating, unknown])
    #expect(summary.status == .inProgress)
    #expect(summary.reason == "ObjectsInProgress")
    #expect(
      summary.message
        == "1 of 4 objects current, 2 in progress (ReplicasUpdating x2) and 1 unknown (NotFound)")
    #expect(Health.summarize([current, unknown]).status == .inProgress)
  }

  @Test func anyFailedIsFailedAndNamesTheReasons() {
    let summary = Health.summarize([
      current, deadline, updating, crashing, crashing, unknown,
    ])
    #expect(summary.status == .failed)
    #expect(summary.reason == "ObjectsFailed")
    #expect(
      summary.message
        == "3 of 6 objects failed: CrashLoopBackOff x2, ProgressDeadlineExceeded")
  }

  @Test func oneObject() {
    #expect(Health.summarize([crashing]).message == "1 of 1 object failed: CrashLoopBackOff")
    #expect(Health.summarize([current]).message == "the one object is current")
  }

  @Test func summariesOfRecordedObjects() throws {
    let site = try [
      rollout[8], pods[5], claims[2], services[0], namespacesAndStaticKinds[4], definitions[2],
    ].map { Health.of(try $0.object()) }
    #expect(Health.summarize(site).status == .current)
    let broken = site + [try Health.of(pods[6].object()), try Health.of(rollout[4].object())]
    let summary = Health.summarize(broken)
    #expect(summary.status == .failed)
    #expect(summary.message == "1 of 8 objects failed: CrashLoopBackOff")
  }

  @Test func descriptionReadsStatusReasonAndMessage() {
    #expect("\(updating)" == "InProgress (ReplicasUpdating): 1 of 3")
    #expect(HealthStatus(rawValue: "Current") == .current)
    #expect(
      HealthStatus.allCases.map(\.rawValue) == ["Current", "InProgress", "Failed", "Unknown"])
  }
}
