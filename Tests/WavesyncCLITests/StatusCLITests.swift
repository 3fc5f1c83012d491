import Foundation
import KubeClient
import LocalFleet
import Model
import Testing
import WavesyncTesting

@testable import Controller

/// `wavesync status` through the built binary, against the rollout fleet's clusters: Fleets and
/// FleetSites written as a controller writes them, each test in a namespace of its own.
extension RolloutCLITests {
  @Test func statusOfAWellFleetExitsZeroWithItsRowAndItsDocument() async throws {
    let regional = try await StatusNamespace(try fleet, "status-well")
    let name = uniqueName("shop")
    try await regional.createFleet(
      name, StatusNamespace.fleetStatus(sequence: 3, sites: FleetSiteCounts(total: 2, healthy: 2)))
    try await regional.createSite(
      fleet: name, "canary-1", FleetSiteStatus(state: StatusNamespace.healthy("canary", 3)))
    try await regional.createSite(
      fleet: name, "early-1", FleetSiteStatus(state: StatusNamespace.healthy("early", 2)))

    let table = try await regional.status([])
    #expect(table.status == 0, "\(table)")
    let row = try #require(table.output.split(separator: "\n").first { $0.contains(name) })
    let cells = row.split(separator: " ").map(String.init)
    #expect(
      cells == [
        RolloutFleet.regional, name, "Ready", "a1a1a1a1a1a1", "a1a1a1a1a1a1", "Succeeded", "-",
        "2/2", "0", "0", "0", "-", "-",
      ], "\(table)")
    #expect(!table.output.contains("\u{1B}["), "colors when not on a terminal: \(table)")

    let json = try await regional.status(["-o", "json", "--sites"])
    #expect(json.status == 0, "\(json)")
    let document = try JSON.decode(json.output)
    #expect(document["allWell"] == true)
    let region = try #require(document["regions"]?.arrayValue?.first)
    #expect(document["regions"]?.arrayValue?.count == 1, "\(json)")
    #expect(region["context"] == .string(RolloutFleet.regional))
    #expect(region["namespace"] == .string(regional.namespace))
    #expect(region["state"] == "Read")
    #expect(region["fleets"] == 1)
    let entry = try #require(document["fleets"]?[0])
    #expect(entry["context"] == .string(RolloutFleet.regional))
    #expect(entry["namespace"] == .string(regional.namespace))
    #expect(entry["name"] == .string(name))
    #expect(entry["state"] == "Ready")
    #expect(entry["needsAttention"] == false)
    #expect(entry[path: ["status", "lastGoodRevision"]] == .string(StatusNamespace.revision))
    #expect(entry[path: ["status", "sites", "healthy"]] == 2)
    #expect(entry[path: ["status", "rollout", "phase"]] == "Succeeded")
    #expect(entry[path: ["status", "rollout", "engine"]] == nil, "internal state in the document")
    #expect(
      entry["sites"]?.arrayValue?.compactMap { $0["site"]?.stringValue } == ["canary-1", "early-1"])
    #expect(entry["sites"]?[0]?[path: ["state", "phase"]] == "Healthy")
    #expect(entry["sites"]?[0]?["uncommitted"] == false)

    // Every namespace: this test's fleet among the others, and a NAMESPACE column.
    let everywhere = try await WavesyncProcess.run(
      [
        "status", "--kubeconfig", regional.fleet.kubeconfigPath, "--context",
        RolloutFleet.regional, "--all-namespaces",
      ])
    #expect(everywhere.output.hasPrefix("CONTEXT   NAMESPACE"), "\(everywhere)")
    #expect(
      everywhere.output.split(separator: "\n").contains {
        $0.contains(" \(regional.namespace) ") && $0.contains(" \(name) ")
      }, "\(everywhere)")

    let yaml = try await regional.status(["-o", "yaml"])
    #expect(yaml.status == 0, "\(yaml)")
    let parsed = try YAML.value(from: yaml.output, rules: .kubectl)
    #expect(parsed["fleets"]?[0]?["name"] == .string(name), "\(yaml)")
  }

  @Test func statusOfAStalledFleetExitsFiveWithTheReadyMessage() async throws {
    let regional = try await StatusNamespace(try fleet, "status-stalled")
    let name = uniqueName("shop")
    let message = "b2b2b2b2b2b2 was rolled back: wave canary failed: canary-1: crash loop"
    try await regional.createFleet(
      name,
      StatusNamespace.fleetStatus(
        sequence: 4, sites: FleetSiteCounts(total: 5, healthy: 5), stalled: message))

    let table = try await regional.status([])
    #expect(table.status == 5, "\(table)")
    let row = try #require(table.output.split(separator: "\n").first { $0.contains(name) })
    #expect(row.contains("Stalled"), "\(table)")
    #expect(row.hasSuffix(message), "\(table)")

    // On a terminal (a pseudo-terminal from script(1), lines end in CRLF) the stalled row is
    // red, unless NO_COLOR is set.
    let command = ([WavesyncProcess.executable.path] + regional.arguments)
      .map { "'\($0)'" }.joined(separator: " ")
    var environment = ProcessInfo.processInfo.environment
    environment["NO_COLOR"] = nil
    let terminal = try await AwaitedProcess.run(
      URL(fileURLWithPath: "/usr/bin/script"), ["-qec", command, "/dev/null"],
      environment: environment)
    #expect(terminal.status == 5, "\(terminal)")
    let red = try #require(
      terminal.output.split(whereSeparator: \.isNewline).first { $0.contains(name) })
    #expect(red.hasPrefix("\u{1B}[31m"), "\(terminal)")
    environment["NO_COLOR"] = "1"
    let plain = try await AwaitedProcess.run(
      URL(fileURLWithPath: "/usr/bin/script"), ["-qec", command, "/dev/null"],
      environment: environment)
    #expect(plain.output.contains(name) && !plain.output.contains("\u{1B}["), "\(plain)")

    let json = try await regional.status(["-o", "json"])
    #expect(json.status == 5, "\(json)")
    let document = try JSON.decode(json.output)
    #expect(document["allWell"] == false)
    #expect(document["fleets"]?[0]?["state"] == "Stalled")
    #expect(document["fleets"]?[0]?["needsAttention"] == true)
  }

  @Test func statusFiltersSitesAndShowsTheStateTheFleetCommitted() async throws {
    let regional = try await StatusNamespace(try fleet, "status-sites")
    let name = uniqueName("shop")
    try await regional.createFleet(
      name,
      StatusNamespace.fleetStatus(
        sequence: 7, sites: FleetSiteCounts(total: 4, healthy: 3, failing: 1)))
    try await regional.createSite(
      fleet: name, "canary-1", FleetSiteStatus(state: StatusNamespace.healthy("canary", 3)))
    var failed = StatusNamespace.healthy("early", 7)
    failed.phase = "Failed"
    failed.lastError = "Deployment till: CrashLoopBackOff"
    failed.health = SiteHealthText(status: "Failed", message: failed.lastError)
    try await regional.createSite(fleet: name, "early-1", FleetSiteStatus(state: failed))
    try await regional.createSite(
      fleet: name, "early-2", FleetSiteStatus(state: StatusNamespace.healthy("early", 5)))
    // Written for sequence 8, which the Fleet (at 7) never committed: the state before stands.
    var applying = StatusNamespace.healthy("rest", 8)
    applying.phase = "Applying"
    applying.desiredRevision = String(repeating: "c3", count: 20)
    try await regional.createSite(
      fleet: name, "rest-1",
      FleetSiteStatus(state: applying, previous: StatusNamespace.healthy("rest", 6)))
    // Only an uncommitted state: not a site of the fleet yet.
    try await regional.createSite(fleet: name, "rest-2", FleetSiteStatus(state: applying))

    func siteNames(_ result: ProcessResult) -> [String] {
      result.output.components(separatedBy: "\n\n").dropFirst().joined()
        .split(separator: "\n").dropFirst().compactMap { line in
          line.split(separator: " ").dropFirst(2).first.map(String.init)
        }
    }

    let all = try await regional.status(["--sites"])
    #expect(all.status == 5, "a failing site: \(all)")
    #expect(siteNames(all) == ["canary-1", "early-1", "early-2", "rest-1"], "\(all)")
    let rest = try #require(all.output.split(separator: "\n").first { $0.contains(" rest-1 ") })
    #expect(rest.contains(" Healthy "), "the committed state, not Applying: \(all)")
    #expect(!rest.contains("c3c3c3"), "\(all)")

    let failing = try await regional.status(["--sites", "--failing"])
    #expect(failing.status == 5, "\(failing)")
    #expect(siteNames(failing) == ["early-1"], "\(failing)")
    #expect(failing.output.contains("Deployment till: CrashLoopBackOff"), "\(failing)")

    let canary = try await regional.status(["--wave", "canary"])
    #expect(siteNames(canary) == ["canary-1"], "\(canary)")

    let selected = try await regional.status(["--selector", "wavesync.io/wave=early"])
    #expect(siteNames(selected) == ["early-1", "early-2"], "\(selected)")

    let json = try await regional.status(["-o", "json", "--wave", "rest"])
    let sites = try #require(try JSON.decode(json.output)["fleets"]?[0]?["sites"]?.arrayValue)
    #expect(sites.count == 1, "\(json)")
    #expect(sites.first?["uncommitted"] == true)
    #expect(sites.first?[path: ["state", "phase"]] == "Healthy")
    #expect(sites.first?[path: ["state", "sequence"]] == 6)

    let bad = try await regional.status(["--selector", "wave in (canary"])
    #expect(bad.status == 64, "\(bad)")
  }

  @Test func statusShowsRegionsItCannotReadAsRowsOfTheirOwn() async throws {
    let fleet = try fleet
    let regional = try await StatusNamespace(fleet, "status-regions")
    let name = uniqueName("shop")
    try await regional.createFleet(
      name, StatusNamespace.fleetStatus(sequence: 1, sites: FleetSiteCounts(total: 1, healthy: 1)))
    // A second kubeconfig file with a context whose server is a closed loopback port.
    let port = try LoopbackPort.free()
    let extra = FileManager.default.temporaryDirectory.appendingPathComponent(
      "\(uniqueName("kubeconfig")).yaml")
    try Data(
      """
      apiVersion: v1
      kind: Config
      clusters:
      - name: gone
        cluster: {server: "https://127.0.0.1:\(port)"}
      contexts:
      - name: gone
        context: {cluster: gone}
      """.utf8
    ).write(to: extra)
    defer { try? FileManager.default.removeItem(at: extra) }
    let environment = ["KUBECONFIG": "\(fleet.kubeconfigPath):\(extra.path)"]
    let contexts = [RolloutFleet.regional, "gone", "canary-1"]

    let table = try await WavesyncProcess.run(
      ["status", "--namespace", regional.namespace] + contexts.flatMap { ["--context", $0] },
      environment: environment)
    #expect(table.status == 5, "\(table)")
    let lines = table.output.split(separator: "\n")
    #expect(lines.count == 4, "\(table)")
    #expect(lines.contains { $0.hasPrefix(RolloutFleet.regional) && $0.contains(name) }, "\(table)")
    let gone = try #require(lines.first { $0.hasPrefix("gone ") }, "\(table)")
    #expect(gone.contains("Unreachable") && gone.contains("cannot reach cluster gone"), "\(table)")
    let canary = try #require(lines.first { $0.hasPrefix("canary-1 ") }, "\(table)")
    #expect(canary.contains("NotInstalled") && canary.contains("wavesync install"), "\(table)")
    #expect(!table.errors.contains("retrying"), "retries of an unreachable region logged: \(table)")

    let json = try await WavesyncProcess.run(
      ["status", "--all-contexts", "-o", "json", "--namespace", regional.namespace],
      environment: environment)
    #expect(json.status == 5, "\(json)")
    let regions = try #require(try JSON.decode(json.output)["regions"]?.arrayValue)
    var states: [String: String] = [:]
    for region in regions {
      states[region["context"]?.stringValue ?? "?"] = region["state"]?.stringValue
    }
    var expected = ["gone": "Unreachable", RolloutFleet.regional: "Read"]
    for site in RolloutFleet.sites { expected[site] = "NotInstalled" }
    #expect(states == expected, "\(json)")

    // A cluster without Wavesync's resources is shown, and is not a reason to exit 5.
    let notInstalled = try await WavesyncProcess.run(
      ["status", "--kubeconfig", fleet.kubeconfigPath, "--context", "canary-1"])
    #expect(notInstalled.status == 0, "\(notInstalled)")
    #expect(notInstalled.output.contains("NotInstalled"), "\(notInstalled)")

    let unknown = try await WavesyncProcess.run(
      ["status", "--kubeconfig", fleet.kubeconfigPath, "--context", "nowhere"])
    #expect(unknown.status == 1, "\(unknown)")
    #expect(unknown.errors.contains("context \"nowhere\" is not defined"), "\(unknown)")
  }

  @Test func statusWatchRedrawsWhenAFleetChangesAndOnlyThen() async throws {
    let regional = try await StatusNamespace(try fleet, "status-watch")
    let name = uniqueName("shop")
    try await regional.createFleet(
      name, StatusNamespace.fleetStatus(sequence: 1, sites: FleetSiteCounts(total: 1, healthy: 1)))
    func draws(_ output: String) -> Int { output.components(separatedBy: "CONTEXT").count - 1 }

    // Four reads of an unchanged fleet: drawn once.
    let quiet = try await regional.status([
      "--watch", "--watch-interval", "0.2", "--watch-count", "4",
    ])
    #expect(quiet.status == 0, "\(quiet)")
    #expect(draws(quiet.output) == 1, "\(quiet)")

    let watcher = try WavesyncProcess.start(
      regional.arguments + ["--watch", "--watch-interval", "0.2", "--watch-count", "1500"])
    defer { watcher.kill() }
    try await eventually("the first draw") { watcher.output.contains(name) }

    try await regional.replaceFleetStatus(
      name,
      StatusNamespace.fleetStatus(
        sequence: 2, sites: FleetSiteCounts(total: 1, healthy: 1), stalled: "rolled back"))
    try await eventually("a redraw with the fleet stalled") { watcher.output.contains("Stalled") }
    #expect(draws(watcher.output) == 2, "reads that changed nothing redrew: \(watcher.output)")
    watcher.terminate()
    _ = try await watcher.finish()
  }
}

/// A namespace of the regional cluster for one test's Fleets and FleetSites.
struct StatusNamespace {
  let fleet: EnvtestFleet
  let client: KubeClient
  let namespace: String

  static let revision = String(repeating: "a1", count: 20)

  init(_ fleet: EnvtestFleet, _ label: String) async throws {
    self.fleet = fleet
    client = fleet.client(for: RolloutFleet.regional)
    namespace = uniqueName(label)
    _ = try await client.apply(
      ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(namespace)]],
      fieldManager: "status-tests")
  }

  /// `wavesync status` of this namespace in the regional cluster.
  var arguments: [String] {
    [
      "status", "--kubeconfig", fleet.kubeconfigPath, "--context", RolloutFleet.regional,
      "--namespace", namespace,
    ]
  }

  func status(_ more: [String]) async throws -> ProcessResult {
    try await WavesyncProcess.run(arguments + more)
  }

  private func reference(_ name: String) -> ObjectReference {
    ObjectReference(
      apiVersion: FleetResourceNames.apiVersion, kind: FleetResourceNames.fleetKind,
      namespace: namespace, name: name)
  }

  /// A Fleet with `status` written through its status subresource, as the controller writes it.
  func createFleet(_ name: String, _ status: FleetStatus) async throws {
    _ = try await client.create([
      "apiVersion": .string(FleetResourceNames.apiVersion),
      "kind": .string(FleetResourceNames.fleetKind),
      "metadata": ["name": .string(name), "namespace": .string(namespace)],
      "spec": ["source": ["url": "https://git.example.com/retail/fleet.git"]],
    ])
    try await replaceFleetStatus(name, status)
  }

  func replaceFleetStatus(_ name: String, _ status: FleetStatus) async throws {
    var object = try #require(try await client.get(reference(name)))
    object["status"] = try StateJSON.value(status)
    _ = try await client.replace(object, subresource: "status")
  }

  /// A FleetSite with its status (it has no status subresource) and the labels the store sets.
  func createSite(fleet name: String, _ site: String, _ status: FleetSiteStatus) async throws {
    var labels: Value = [FleetResourceNames.fleetLabel: .string(name)]
    if let wave = status.state.wave { labels[FleetResourceNames.waveLabel] = .string(wave) }
    _ = try await client.create([
      "apiVersion": .string(FleetResourceNames.apiVersion),
      "kind": .string(FleetResourceNames.siteKind),
      "metadata": [
        "name": .string(FleetResourceNames.siteObjectName(fleet: name, site: site)),
        "namespace": .string(namespace), "labels": labels,
      ],
      "spec": ["fleet": .string(name), "site": .string(site)],
      "status": try StateJSON.value(status),
    ])
  }

  static let waves = ["canary", "early", "rest"]

  static func healthy(_ wave: String, _ sequence: Int) -> SiteRecord {
    SiteRecord(
      sequence: sequence, rollout: "\(revision)#1", wave: wave,
      waveIndex: waves.firstIndex(of: wave), position: 0, phase: "Healthy",
      desiredRevision: revision, appliedRevision: revision,
      health: SiteHealthText(status: "Current"))
  }

  /// A fleet whose last rollout of `revision` succeeded; stalled with `stalled` as the Ready
  /// condition's message when given.
  static func fleetStatus(sequence: Int, sites: FleetSiteCounts, stalled: String? = nil)
    -> FleetStatus
  {
    let now = Date()
    let (reason, message) = stalled.map { ("RolledBack", $0) } ?? ("RolledOut", "every site runs")
    let conditions = [
      FleetCondition(
        type: FleetConditionType.ready, status: stalled == nil, reason: reason, message: message,
        observedGeneration: 1, at: now),
      FleetCondition(
        type: FleetConditionType.reconciling, status: false, reason: reason, message: message,
        observedGeneration: 1, at: now),
      FleetCondition(
        type: FleetConditionType.stalled, status: stalled != nil, reason: reason,
        message: message, observedGeneration: 1, at: now),
    ]
    let rollout = FleetRolloutStatus(
      id: "\(revision)#1", revision: revision, trigger: .newCommit, phase: "Succeeded", wave: nil,
      paused: false, startedAt: now, reason: nil, soakUntil: nil, waves: [], unassignedSites: 0,
      engine: EngineRollout(
        revision: revision, lastGoodRevision: nil, waveNames: waves, phase: .succeeded,
        paused: false, startedAt: now, clock: now, failureReason: nil))
    return FleetStatus(
      observedGeneration: 1, conditions: conditions, fetchedRevision: revision,
      stateSequence: sequence, lastGoodRevision: revision, rolloutNumber: 1, rollout: rollout,
      sites: sites)
  }
}
