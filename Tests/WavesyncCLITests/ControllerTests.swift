import Controller
import Foundation
import KubeClient
import LocalFleet
import Model
import Testing
import WavesyncTesting

/// `wavesync controller` as a real process against the rollout fleet: a `Fleet` created with
/// kubectl from a YAML file, its repository served by `git daemon`, its sites' kubeconfig in a
/// Secret.
extension RolloutCLITests {
  /// A controller for `repo`'s Fleet, served from a git daemon: the Fleet's YAML file applied
  /// with kubectl, the kubeconfig Secret created.
  struct ControlledFleet {
    let repo: RolloutRepository
    let daemon: GitDaemonServer
    let regional: KubeClient

    /// The Fleet's spec: its poll interval and `spec.urgentRevisions`.
    let pollInterval: String
    let urgentRevisions: [String]

    /// `creatingFleet`: false leaves the Fleet to `createFleet()`, for a controller started
    /// before it exists.
    init(
      _ repo: RolloutRepository, pollInterval: String = "1s", urgentRevisions: [String] = [],
      creatingFleet: Bool = true
    ) async throws {
      self.repo = repo
      self.pollInterval = pollInterval
      self.urgentRevisions = urgentRevisions
      daemon = try await GitDaemonServer(basePath: repo.temp.url.path, logDirectory: repo.temp.url)
      regional = repo.fleet.client(for: RolloutFleet.regional)
      let kubeconfig = try String(contentsOfFile: repo.fleet.kubeconfigPath, encoding: .utf8)
      _ = try await regional.apply(
        ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "wavesync-system"]],
        fieldManager: "controller-tests")
      _ = try await regional.create([
        "apiVersion": "v1", "kind": "Secret",
        "metadata": [
          "name": .string("\(repo.stateName)-sites"), "namespace": "wavesync-system",
        ],
        "data": ["kubeconfig": .string(Data(kubeconfig.utf8).base64EncodedString())],
      ])
      if creatingFleet { try await createFleet() }
    }

    /// The Fleet, from a YAML file applied with kubectl.
    func createFleet() async throws {
      let yaml = """
        apiVersion: wavesync.io/v1alpha1
        kind: Fleet
        metadata:
          name: \(repo.stateName)
          namespace: wavesync-system
        spec:
          source:
            url: \(daemon.url(for: "fleet"))
            ref: main
            pollInterval: \(pollInterval)
          kubeconfigSecretRef:
            name: \(repo.stateName)-sites
        """
        // Quoted: a hex prefix such as 1234567 or 1e45678 would be a YAML number.
        + (urgentRevisions.isEmpty
          ? ""
          : "\n  urgentRevisions: ["
            + urgentRevisions.map { "\"\($0)\"" }.joined(separator: ", ") + "]")
      let file = repo.temp.appending("fleet-object.yaml")
      try Data(yaml.utf8).write(to: file)
      _ = try await CommandRunner.run(
        "/usr/bin/kubectl",
        [
          "--kubeconfig", repo.fleet.kubeconfigPath, "--context", RolloutFleet.regional,
          "apply", "-f", file.path,
        ])
    }

    /// A controller replica (`identity`), with a Lease of `leaseDuration` seconds.
    func startController(identity: String = "replica-a", leaseDuration: String = "3")
      throws -> AwaitedProcess
    {
      try WavesyncProcess.start([
        "controller", "--kubeconfig", repo.fleet.kubeconfigPath, "--context",
        RolloutFleet.regional, "--fleet", repo.stateName, "--cache-dir",
        repo.temp.appending("cache-\(identity)").path, "--tick-interval",
        RolloutRepository.tickInterval, "--identity", identity, "--lease-duration", leaseDuration,
      ])
    }

    /// Who holds the Fleet's Lease.
    func leaseHolder() async throws -> String? {
      try await regional.get(
        ObjectReference(
          apiVersion: "coordination.k8s.io/v1", kind: "Lease", namespace: "wavesync-system",
          name: LeaderElector.leaseName(fleet: repo.stateName))
      )?[path: ["spec", "holderIdentity"]]?.stringValue
    }

    /// The Fleet's status, decoded.
    func status() async throws -> FleetStatus? {
      let fleet = try await regional.get(
        ObjectReference(
          apiVersion: FleetResourceNames.apiVersion, kind: "Fleet", namespace: "wavesync-system",
          name: repo.stateName))
      return try fleet?["status"].map { try StateJSON.decode(FleetStatus.self, from: $0) }
    }

    /// Polls the Fleet's status until `check` says yes.
    func eventuallyInStatus(_ what: String, _ check: @escaping (FleetStatus) -> Bool)
      async throws -> FleetStatus
    {
      try await eventually(what) { note in
        guard let status = try await status() else { return nil }
        note(
          "rollout \(status.rollout?.revision.prefix(8) ?? "-") \(status.rollout?.phase ?? "-"), "
            + "good \(status.lastGoodRevision?.prefix(8) ?? "-"), "
            + status.conditions.map { "\($0.type)=\($0.status) \($0.reason)" }.joined(
              separator: ", "))
        return check(status) ? status : nil
      }
    }

    /// `wavesync status` of this Fleet on the regional cluster, with `arguments`.
    func wavesyncStatus(_ arguments: [String] = []) async throws -> ProcessResult {
      try await WavesyncProcess.run(
        [
          "status", "--kubeconfig", repo.fleet.kubeconfigPath, "--context",
          RolloutFleet.regional, "--fleet", repo.stateName,
        ] + arguments)
    }

    /// The JSON of `wavesync status -o json`: the one fleet's entry.
    func statusJSON(_ arguments: [String] = []) async throws -> (exit: Int32, fleet: Value) {
      let result = try await wavesyncStatus(["-o", "json"] + arguments)
      let document = try JSON.decode(result.output)
      let fleet = try #require(document["fleets"]?.arrayValue?.first, "\(result)")
      return (result.status, fleet)
    }

    func ready(_ status: FleetStatus) -> Bool {
      status.condition(FleetConditionType.ready)?.status == "True"
    }
  }

  @Test func theControllerRollsOutNewCommitsAndRollsBackABrokenOne() async throws {
    let repo = try RolloutRepository(try fleet, "controller")
    let controlled = try await ControlledFleet(repo)
    let controller = try controlled.startController()
    defer {
      controller.kill()
      controlled.daemon.stop()
    }

    // The first commit, rolled out wave by wave.
    let first = repo.firstCommit
    var status = try await controlled.eventuallyInStatus("\(first.prefix(8)) rolled out") {
      $0.lastGoodRevision == first && controlled.ready($0)
    }
    #expect(status.fetchedRevision == first)
    #expect(status.sites == FleetSiteCounts(total: 5, healthy: 5))
    #expect(status.condition(FleetConditionType.ready)?.reason == "RolledOut")
    for site in RolloutFleet.sites {
      #expect(try await repo.inventoryRevision(site) == first, "inventory of \(site)")
    }
    let table = try await controlled.wavesyncStatus()
    #expect(table.status == 0, "\(table)")
    let row = try #require(
      table.output.split(separator: "\n").first { $0.contains(repo.stateName) })
    #expect(
      row.contains("Ready") && row.contains("5/5") && row.contains(first.prefix(12)), "\(row)")
    var json = try await controlled.statusJSON(["--sites"])
    #expect(json.exit == 0)
    #expect(json.fleet["needsAttention"] == false)
    #expect(json.fleet["sites"]?.arrayValue?.count == 5)

    // A commit pushed later is picked up at the poll interval.
    let second = try repo.commit(image: "registry.local/till:1.1")
    status = try await controlled.eventuallyInStatus("\(second.prefix(8)) rolled out") {
      $0.lastGoodRevision == second && controlled.ready($0)
    }
    for site in RolloutFleet.sites {
      #expect(try await repo.image(site) == "registry.local/till:1.1", "Deployment on \(site)")
    }

    // A broken commit fails in the canary wave and is rolled back; the Fleet says why.
    let broken = try repo.commit(image: "registry.local/till:broken")
    status = try await controlled.eventuallyInStatus("\(broken.prefix(8)) rolled back") {
      $0.badRevisions.contains { $0.revision == broken } && $0.rollout?.phase == "RolledBack"
        && $0.condition(FleetConditionType.ready)?.reason == "RolledBack"
    }
    #expect(status.lastGoodRevision == second)
    #expect(status.condition(FleetConditionType.stalled)?.status == "True")
    let ready = try #require(status.condition(FleetConditionType.ready))
    #expect(ready.status == "False")
    #expect(ready.message.contains(broken), "\(ready.message)")
    for site in RolloutFleet.sites {
      #expect(try await repo.image(site) == "registry.local/till:1.1", "Deployment on \(site)")
    }
    // Stalled on the rolled-back commit: status exits 5 and says why.
    json = try await controlled.statusJSON()
    #expect(json.exit == 5)
    #expect(json.fleet["needsAttention"] == true)
    #expect(json.fleet[path: ["status", "lastGoodRevision"]] == .string(second))
    let stalled = try await controlled.wavesyncStatus()
    #expect(stalled.status == 5, "\(stalled)")
    #expect(stalled.output.contains("was rolled back"), "\(stalled)")

    // Git goes away: the fleet goes on with the last fetched commit, and the Fleet says so.
    controlled.daemon.stop()
    status = try await controlled.eventuallyInStatus("Git offline") {
      $0.condition(FleetConditionType.gitOffline)?.status == "True"
        && $0.condition(FleetConditionType.reconciling)?.status == "False"
    }
    #expect(status.gitOfflineSince != nil)
    #expect(status.fetchedRevision == broken)
    // Not a failure of the source: the Fleet still says what the last rollout did.
    #expect(status.condition(FleetConditionType.ready)?.reason == "RolledBack")
    json = try await controlled.statusJSON()
    #expect(json.fleet[path: ["status", "gitOfflineSince"]]?.stringValue != nil, "\(json.fleet)")

    // SIGTERM stops it cleanly.
    controller.terminate()
    let stopped = try await controller.finish()
    #expect(stopped.status == 0, "\(stopped)")
  }

  /// A commit that does not render is refused before any site is touched, and the Fleet says
  /// so with the step that failed.
  @Test(arguments: [
    ("missing", "resources: [missing.yaml]\n", "", "missing.yaml"),
    // The controller reads with the same limits as `wavesync render`.
    (
      "hostile", "resources: [till.yaml, deep.yaml]\n",
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata: "
        + String(repeating: "[", count: 5_000),
      "deep.yaml:5: mappings and lists nested more than 1000 levels deep"
    ),
  ])
  func theControllerRefusesACommitThatDoesNotRender(
    label: String, kustomization: String, deepFile: String, expected: String
  ) async throws {
    let repo = try RolloutRepository(try fleet, "controller-\(label)")
    try repo.repo.write("\(repo.appFolder)/kustomization.yaml", kustomization)
    if !deepFile.isEmpty { try repo.repo.write("\(repo.appFolder)/deep.yaml", deepFile) }
    let broken = try repo.repo.commit("A commit that does not render (\(label))")
    let controlled = try await ControlledFleet(repo)
    let controller = try controlled.startController()
    defer {
      controller.kill()
      controlled.daemon.stop()
    }
    let status = try await controlled.eventuallyInStatus("\(broken.prefix(8)) refused") {
      $0.badRevisions.contains { $0.revision == broken }
        && $0.condition(FleetConditionType.ready)?.reason == "RevisionRefused"
    }
    let ready = try #require(status.condition(FleetConditionType.ready))
    #expect(ready.status == "False")
    #expect(ready.reason == "RevisionRefused")
    #expect(ready.message.contains(expected), "\(ready.message)")
    #expect(status.history.first?.outcome == .rejected)
    for site in RolloutFleet.sites {
      #expect(try await repo.inventory(site) == nil, "\(site) was touched")
    }
    controller.terminate()
    #expect(try await controller.finish().status == 0)
  }

  /// The controller SIGKILLed in the middle of a wave, with a second replica already waiting:
  /// the second takes over through the Lease and finishes the rollout, every wave after the one
  /// before it.
  @Test func aKilledControllerIsReplacedByTheReplicaWaitingForItsLease() async throws {
    let repo = try RolloutRepository(try fleet, "controller-takeover")
    let controlled = try await ControlledFleet(repo)
    let first = try controlled.startController(identity: "replica-a")
    defer {
      first.kill()
      controlled.daemon.stop()
    }
    try await eventually("replica-a leads") { try await controlled.leaseHolder() == "replica-a" }
    let second = try controlled.startController(identity: "replica-b")
    defer { second.kill() }

    _ = try await controlled.eventuallyInStatus("the early wave running") {
      $0.rollout?.wave == "early" && $0.rollout?.phase == "Running"
    }
    first.kill()
    try await eventually("replica-b leads") { try await controlled.leaseHolder() == "replica-b" }
    let status = try await controlled.eventuallyInStatus("the rollout finished by replica-b") {
      $0.lastGoodRevision == repo.firstCommit && controlled.ready($0)
    }
    #expect(status.history.count == 1)
    #expect(status.history.first?.outcome == .succeeded)
    let record = try await repo.record()
    try Self.expectGatesHonoured(try #require(record.current), soak: Self.soak)
    for site in RolloutFleet.sites {
      #expect(try await repo.inventoryRevision(site) == repo.firstCommit, "inventory of \(site)")
    }
    #expect(second.errors.contains("leading, taking over from replica-a"), "\(second.errors)")
    let table = try await controlled.wavesyncStatus(["--sites"])
    #expect(table.status == 0, "\(table)")
    #expect(
      table.output.split(separator: "\n").filter { $0.contains("Healthy") }.count == 5, "\(table)")
    second.terminate()
    #expect(try await second.finish().status == 0)
  }

  /// pause, resume, promote and rollback write the Fleet's spec; the controller acts on them.
  @Test func theOperatorsControlsSteerTheControllerThroughTheSpec() async throws {
    let repo = try RolloutRepository(
      try fleet, "controller-controls",
      policy: RolloutRepository.replacing(
        "      selector: ring=early\n", with: "      selector: ring=early\n      manualGate: true\n"
      ))
    let controlled = try await ControlledFleet(repo)
    let controller = try controlled.startController()
    defer {
      controller.kill()
      controlled.daemon.stop()
    }
    _ = try await controlled.eventuallyInStatus("waiting at the gate of early") {
      $0.rollout?.phase == "WaitingForPromotion" && $0.rollout?.wave == "early"
    }

    // A terminal's rollout does not fight the controller.
    let rollout = try await repo.wavesync(
      ["rollout", "--tick-interval", RolloutRepository.tickInterval, "--poll-interval", "0"],
      repository: true)
    #expect(rollout.status == 1, "\(rollout)")
    #expect(rollout.errors.contains("is reconciled by controller replica-a"), "\(rollout)")

    let pause = try await repo.wavesync(["pause"])
    #expect(pause.status == 0, "\(pause)")
    let promote = try await repo.wavesync(["promote"])
    #expect(promote.status == 0, "\(promote)")
    _ = try await controlled.eventuallyInStatus("paused, the early wave running") {
      $0.rollout?.paused == true && $0.rollout?.wave == "early" && $0.rollout?.phase == "Running"
    }
    let paused = try await controlled.statusJSON(["--wave", "early"])
    #expect(paused.exit == 0, "paused is not a failure")
    #expect(paused.fleet[path: ["status", "rollout", "paused"]] == true)
    #expect(paused.fleet["sites"]?.arrayValue?.count == 2)
    // Paused: no early site is touched.
    for site in ["early-1", "early-2"] {
      #expect(try await repo.inventory(site) == nil, "\(site) was touched while paused")
    }
    let resume = try await repo.wavesync(["resume"])
    #expect(resume.status == 0, "\(resume)")
    _ = try await controlled.eventuallyInStatus("\(repo.firstCommit.prefix(8)) rolled out") {
      $0.lastGoodRevision == repo.firstCommit && controlled.ready($0)
    }

    // A second commit, then a rollback to the first through the spec.
    let second = try repo.commit(image: "registry.local/till:1.1")
    _ = try await controlled.eventuallyInStatus("at the early gate of \(second.prefix(8))") {
      $0.rollout?.revision == second && $0.rollout?.phase == "WaitingForPromotion"
    }
    #expect(try await repo.wavesync(["promote"]).status == 0)
    _ = try await controlled.eventuallyInStatus("\(second.prefix(8)) rolled out") {
      $0.lastGoodRevision == second && controlled.ready($0)
    }
    let rollback = try await repo.wavesync(
      ["rollback", "--to", repo.firstCommit, "--tick-interval", RolloutRepository.tickInterval],
      repository: true)
    #expect(rollback.status == 0, "\(rollback)")
    #expect(rollback.output.contains("controller replica-a carries it out"), "\(rollback)")
    _ = try await controlled.eventuallyInStatus("at the early gate of the rollback") {
      $0.rollout?.trigger == .rollback && $0.rollout?.phase == "WaitingForPromotion"
    }
    #expect(try await repo.wavesync(["promote"]).status == 0)
    let status = try await controlled.eventuallyInStatus("rolled back to the first commit") {
      $0.lastGoodRevision == repo.firstCommit && controlled.ready($0)
    }
    #expect(status.observedRollbackTo == repo.firstCommit)
    #expect(status.badRevisions.contains { $0.revision == second })
    for site in RolloutFleet.sites {
      #expect(try await repo.image(site) == Self.goodImage, "Deployment on \(site)")
    }
    controller.terminate()
    #expect(try await controller.finish().status == 0)
  }

  /// A command that needs Wavesync's resources, on a cluster without them, says to install them.
  @Test func aClusterWithoutTheResourcesIsToldToInstallThem() async throws {
    let fleet = try fleet
    let result = try await WavesyncProcess.run([
      "pause", "--kubeconfig", fleet.kubeconfigPath, "--state-context", "canary-1", "--fleet",
      "anything",
    ])
    #expect(result.status == 1, "\(result)")
    #expect(result.errors.contains("run `wavesync install` on the regional cluster"), "\(result)")
  }
}
