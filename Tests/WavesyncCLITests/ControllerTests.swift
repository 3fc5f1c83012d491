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

    init(_ repo: RolloutRepository, pollInterval: String = "1s") async throws {
      self.repo = repo
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
      let file = repo.temp.appending("fleet-object.yaml")
      try Data(yaml.utf8).write(to: file)
      _ = try await CommandRunner.run(
        "/usr/bin/kubectl",
        [
          "--kubeconfig", repo.fleet.kubeconfigPath, "--context", RolloutFleet.regional,
          "apply", "-f", file.path,
        ])
    }

    func startController() throws -> AwaitedProcess {
      try WavesyncProcess.start([
        "controller", "--kubeconfig", repo.fleet.kubeconfigPath, "--context",
        RolloutFleet.regional, "--fleet", repo.stateName, "--cache-dir",
        repo.temp.appending("controller-cache").path, "--tick-interval",
        RolloutRepository.tickInterval,
      ])
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

    // SIGTERM stops it cleanly.
    controller.terminate()
    let stopped = try await controller.finish()
    #expect(stopped.status == 0, "\(stopped)")
  }

  /// A commit that does not render is refused before any site is touched, and the Fleet says
  /// so with the step that failed.
  @Test func theControllerRefusesACommitThatDoesNotRender() async throws {
    let repo = try RolloutRepository(try fleet, "controller-render")
    try repo.repo.write("\(repo.appFolder)/kustomization.yaml", "resources: [missing.yaml]\n")
    let broken = try repo.repo.commit("A kustomization naming a file that is not there")
    let controlled = try await ControlledFleet(repo)
    let controller = try controlled.startController()
    defer {
      controller.kill()
      controlled.daemon.stop()
    }
    let status = try await controlled.eventuallyInStatus("\(broken.prefix(8)) refused") {
      $0.badRevisions.contains { $0.revision == broken }
    }
    let ready = try #require(status.condition(FleetConditionType.ready))
    #expect(ready.status == "False")
    #expect(ready.reason == "RevisionRefused")
    #expect(ready.message.contains("missing.yaml"), "\(ready.message)")
    #expect(status.history.first?.outcome == .rejected)
    for site in RolloutFleet.sites {
      #expect(try await repo.inventory(site) == nil, "\(site) was touched")
    }
    controller.terminate()
    #expect(try await controller.finish().status == 0)
  }
}
