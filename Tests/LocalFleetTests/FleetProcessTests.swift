import Foundation
import KubeClient
import Model
import Testing
import WavesyncTesting

@testable import LocalFleet

#if canImport(Glibc)
  import Glibc
#endif

extension LocalFleetSuites {
  /// Starting, stopping and losing fleets: each test starts its own one-cluster fleet.
  @Suite(.timeLimit(.minutes(10))) struct FleetProcessTests {
    @Test func missingBinariesAreNamedWithTheScriptToRun() async throws {
      let empty = FileManager.default.temporaryDirectory
        .appendingPathComponent("no-envtest-\(UUID().uuidString)")
      try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
      defer { try? FileManager.default.removeItem(at: empty) }
      let error = await #expect(throws: LocalFleetError.self) {
        _ = try await EnvtestFleet.start(clusters: ["one"], binaries: empty)
      }
      let message = error?.description ?? ""
      #expect(message.contains(empty.appendingPathComponent("kube-apiserver").path))
      #expect(message.contains("scripts/envtest.sh"))
      #expect(message.contains("WAVESYNC_ENVTEST_BIN"))
    }

    /// A server that cannot start fails the start, after a bounded number of tries, with the
    /// end of its log.
    @Test func aFailingServerIsReportedWithItsLog() async throws {
      let fake = try FailingEnvtestBinaries(message: "E0101 fake apiserver: no etcd for you")
      let work = fake.url.appendingPathComponent("work")
      let error = await #expect(throws: LocalFleetError.self) {
        _ = try await EnvtestFleet.start(
          clusters: ["doomed"], binaries: fake.url, workDirectory: work)
      }
      let message = error?.description ?? ""
      #expect(message.contains("the kube-apiserver of doomed did not become ready in 3 tries"))
      #expect(message.contains("try 3: kube-apiserver of doomed exited"), "\(message)")
      #expect(message.contains("E0101 fake apiserver: no etcd for you"))
      // etcd, which had started, is gone again.
      #expect(ProcFS.processes(mentioning: work.path).isEmpty)
    }

    /// A kube-apiserver that never becomes ready (here: its etcd refuses connections, so it
    /// exits) is started again on a fresh port, and the fleet's kubeconfig follows it.
    @Test func anAPIServerThatFailsItsFirstStartIsStartedAgainOnAFreshPort() async throws {
      var tuning = FleetStartTuning.standard
      tuning.triesWithUnreachableEtcd = 1
      let fleet = try await EnvtestFleet.start(
        clusters: ["second-try"], binaries: nil, workDirectory: nil, tuning: tuning)
      defer { fleet.stop() }
      #expect(fleet.startProblems.count == 1, "\(fleet.startProblems)")
      #expect(
        fleet.startProblems.first?.hasPrefix("try 1: kube-apiserver of second-try exited") == true,
        "\(fleet.startProblems)")
      let server = fleet.connection(for: "second-try").server
      #expect(try await fleet.client(for: "second-try").request("GET", "/readyz").status == 200)
      let kubeconfig = try String(contentsOfFile: fleet.kubeconfigPath, encoding: .utf8)
      #expect(kubeconfig.contains("server: \(server)"), "\(kubeconfig)")
      // The controller manager found the server too: it made the default service account.
      let account = try await fleet.client(for: "second-try").get(
        ObjectReference(
          apiVersion: "v1", kind: "ServiceAccount", namespace: "default", name: "default"))
      #expect(account != nil)
    }

    @Test func unreadyHealthChecksAreNamed() {
      let listing = """
        [+]ping ok
        [+]log ok
        [-]etcd failed: reason withheld
        [+]poststarthook/start-kube-apiserver-admission-initializer ok
        [-]poststarthook/rbac/bootstrap-roles failed: reason withheld
        readyz check failed
        """
      #expect(Readiness.failingChecks(listing) == ["etcd", "poststarthook/rbac/bootstrap-roles"])
      #expect(Readiness.failingChecks("ok").isEmpty)
    }

    @Test(arguments: [[], ["Upper"], ["a", "a"], ["with/slash"], ["-dash"]])
    func badClusterNamesAreRefused(_ clusters: [String]) async {
      await #expect(throws: LocalFleetError.self) {
        _ = try await EnvtestFleet.start(clusters: clusters)
      }
    }

    @Test func aClusterStopsAndRestartsAndStopLeavesNoProcess() async throws {
      let fleet = try await EnvtestFleet.start(clusters: ["solo"])
      defer { fleet.stop() }
      let client = fleet.client(for: "solo", timeoutSeconds: 5)
      let kubelet = SimulatedKubelet(client: fleet.client(for: "solo"))
      let kubeletTask = kubelet.start()
      defer { kubeletTask.cancel() }
      let name = uniqueName("survives")
      _ = try await client.apply(Manifests.namespace(name), fieldManager: "localfleet-tests")

      let processes = fleet.processes
      print("fleet processes: \(processes)")
      #expect(Set(processes.map(\.role)) == [.etcd, .apiServer, .controllerManager, .watchdog])
      var clusterKilobytes = 0
      for process in processes {
        let kilobytes = try #require(ProcFS.residentKilobytes(process.pid))
        if process.cluster != nil { clusterKilobytes += kilobytes }
        print("memory: \(process) VmRSS \(kilobytes / 1024) MB")
      }
      print("memory: one cluster (apiserver + controller manager) \(clusterKilobytes / 1024) MB")
      #expect(clusterKilobytes < 1_000_000)

      // The site goes offline: its port refuses connections.
      let server = try #require(processes.first { $0.role == .apiServer })
      fleet.stopCluster("solo")
      #expect(!ProcFS.isAlive(server.pid))
      #expect(!fleet.processes.contains { $0.cluster == "solo" })
      await #expect(throws: KubeError.self) { _ = try await client.request("GET", "/readyz") }

      // Back on the same port, with its objects.
      try await fleet.startCluster("solo")
      #expect(try await client.request("GET", "/readyz").status == 200)
      #expect(
        try await client.get(ObjectReference(apiVersion: "v1", kind: "Namespace", name: name))
          != nil)

      // The kubelet, which lost its watch meanwhile, runs the pods of a new Deployment.
      let deployment = Manifests.deployment(
        "after", namespace: name, image: "registry.local/after:1", replicas: 1)
      _ = try await client.apply(deployment, fieldManager: "localfleet-tests")
      _ = try await eventually("the Deployment available after the restart") { note in
        let live = try await client.get(ObjectReference(of: deployment))
        note(JSON.encode(live?["status"] ?? .null))
        return live?[path: ["status", "availableReplicas"]] == 1 ? live : nil
      }

      let pids = fleet.processes.map(\.pid)
      #expect(pids.count == 4)
      let started = Date()
      fleet.stop()
      print("stop() took \(Int(Date().timeIntervalSince(started) * 1000)) ms")
      #expect(pids.filter(ProcFS.isAlive).isEmpty, "still running: \(pids.filter(ProcFS.isAlive))")
      #expect(fleet.processes.isEmpty)
      #expect(!FileManager.default.fileExists(atPath: fleet.workDirectory.path))
      #expect(ProcFS.processes(mentioning: fleet.workDirectory.path).isEmpty)
      fleet.stop()  // idempotent
    }

    /// A test process that dies by SIGKILL cannot stop its fleet; the watchdog must, and
    /// removes the fleet's work directory too.
    @Test func theFleetDiesWithTheProcessThatStartedIt() async throws {
      let report = FileManager.default.temporaryDirectory
        .appendingPathComponent("wavesync-orphan-\(UUID().uuidString.prefix(8)).txt").path
      defer { try? FileManager.default.removeItem(atPath: report) }

      await #expect(processExitsWith: .signal(SIGKILL)) { [report = report as String] in
        let fleet = try await EnvtestFleet.start(clusters: ["orphan"])
        let lines = [fleet.workDirectory.path] + fleet.processes.map { String($0.pid) }
        try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: report))
        kill(getpid(), SIGKILL)
      }

      let lines = try String(contentsOfFile: report, encoding: .utf8).split(separator: "\n")
      let workDirectory = try #require(lines.first.map(String.init))
      let pids = lines.dropFirst().compactMap { Int32($0) }
      #expect(pids.count == 4)
      try await eventually("the fleet's processes gone after their parent died") { note in
        let alive = pids.filter(ProcFS.isAlive)
        note("still running: \(alive)")
        return alive.isEmpty ? () : nil
      }
      #expect(ProcFS.processes(mentioning: workDirectory).isEmpty)
      #expect(!FileManager.default.fileExists(atPath: workDirectory))
    }
  }
}
