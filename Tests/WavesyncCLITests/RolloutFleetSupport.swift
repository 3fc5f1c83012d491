import Controller
import Foundation
import GitSource
import KubeClient
import LocalFleet
import Model
import Testing
import WavesyncTesting

// Support for the rollout CLI tests: one envtest fleet (a regional cluster that keeps the rollout
// state, then the five sites of fixtures/rollout-fleet) with a simulated kubelet per site, a
// copy of the fixture per test under names of its own, the `wavesync` binary run with bounded
// waits, and the rollout record as `wavesync history --output json` prints it.

// MARK: - The fleet

/// The fleet of `RolloutCLITests`, started once around the suite (`@Suite(.rolloutFleet)`) and
/// stopped after it; tests reach it through `RolloutFleet.environment`.
struct RolloutFleet: SuiteTrait, TestScoping {
  /// The first cluster: the kubeconfig's current context, so where rollout state is kept.
  static let regional = "regional"
  static let waves: [(name: String, sites: [String])] = [
    ("canary", ["canary-1"]), ("early", ["early-1", "early-2"]), ("rest", ["rest-1", "rest-2"]),
  ]
  static let sites = waves.flatMap(\.sites)

  struct Environment: Sendable {
    var fleet: EnvtestFleet
    var kubelets: Kubelets
  }

  @TaskLocal static var current: Environment?

  static var environment: Environment {
    get throws { try #require(current, "the suite needs the .rolloutFleet trait") }
  }

  var isRecursive: Bool { false }

  func provideScope(
    for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
  ) async throws {
    let fleet = try await EnvtestFleet.start(clusters: [Self.regional] + Self.sites)
    // Rollouts keep their state in Fleets and FleetSites of the regional cluster.
    _ = try await CustomResourceInstaller(client: fleet.client(for: Self.regional)).install()
    let kubelets = Kubelets(fleet: fleet)
    for site in Self.sites { await kubelets.start(site) }
    do {
      try await Self.$current.withValue(Environment(fleet: fleet, kubelets: kubelets)) {
        try await function()
      }
    } catch {
      await kubelets.stopAll()
      await fleet.stopInBackground()
      throw error
    }
    await kubelets.stopAll()
    await fleet.stopInBackground()
  }
}

extension Trait where Self == RolloutFleet {
  static var rolloutFleet: Self { RolloutFleet() }
}

/// The simulated kubelets of the site clusters. Stopping one leaves that site's new pods
/// Pending (its workloads never become available) until it starts again.
actor Kubelets {
  let fleet: EnvtestFleet
  private var tasks: [String: Task<Void, any Error>] = [:]

  init(fleet: EnvtestFleet) { self.fleet = fleet }

  func start(_ site: String) {
    guard tasks[site] == nil else { return }
    tasks[site] = SimulatedKubelet(client: fleet.client(for: site)).start()
  }

  func stop(_ site: String) {
    tasks.removeValue(forKey: site)?.cancel()
  }

  func stopAll() {
    for task in tasks.values { task.cancel() }
    tasks = [:]
  }
}

extension EnvtestFleet {
  /// Runs `body` with `cluster` stopped, and starts it again afterwards, whatever happened.
  func withClusterStopped<T>(
    _ cluster: String, _ body: () async throws -> T
  ) async throws -> T {
    await stopClusterInBackground(cluster)
    let result: T
    do {
      result = try await body()
    } catch {
      try? await startCluster(cluster)
      throw error
    }
    try await startCluster(cluster)
    return result
  }
}

struct RolloutTestFailure: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}

// MARK: - Running wavesync

// MARK: - One test's fleet repository

/// A copy of fixtures/rollout-fleet in its own Git repository, with the app `shop` renamed (app,
/// namespace) to a name of this test's, and its own rollout state (`--state-name`), so tests
/// sharing the clusters never see each other's objects or records. (A site holds one fleet
/// repository's apps: a test's first rollout to a site prunes the app an earlier test left.)
final class RolloutRepository: @unchecked Sendable {
  let fleet: EnvtestFleet
  let temp: TemporaryDirectory
  let repo: GitRepositoryBuilder
  /// The app's name, which is also its namespace.
  let app: String
  let stateName: String
  /// The first commit: the fixture as it is (with `policy` applied to fleet.yaml).
  private(set) var firstCommit = ""

  static let tickInterval = "0.3"
  static let fixture = "rollout-fleet"
  static let deployment = "till"

  /// `policy` rewrites the text of fleet.yaml (see `replacing`), `site` the text of a site's
  /// file (given the site's name).
  init(
    _ fleet: EnvtestFleet, _ label: String, policy: (String) throws -> String = { $0 },
    site: (String, String) throws -> String = { $1 }
  ) throws {
    self.fleet = fleet
    temp = try TemporaryDirectory("wavesync-rollout-\(label)")
    repo = try GitRepositoryBuilder(in: temp.url, name: "fleet")
    app = uniqueName(label)
    stateName = "rollout-\(app)"
    let root = RepositoryPaths.fixture(Self.fixture)
    let files = try #require(
      FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]))
    for case let file as URL in files
    where (try file.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true {
      var relative = String(file.path.dropFirst(root.path.count + 1))
      var text = try String(contentsOf: file, encoding: .utf8)
      if relative.hasPrefix("apps/shop/") {
        relative = "apps/\(app)/" + relative.dropFirst("apps/shop/".count)
        text = text.replacingOccurrences(of: "namespace: shop\n", with: "namespace: \(app)\n")
          .replacingOccurrences(of: "  name: shop\n", with: "  name: \(app)\n")
      }
      if relative == "fleet.yaml" { text = try policy(text) }
      if relative.hasPrefix("sites/") {
        text = try site(String(relative.dropFirst("sites/".count).dropLast(".yaml".count)), text)
      }
      try repo.write(relative, text)
    }
    firstCommit = try repo.commit("The rollout fleet with app \(app)")
  }

  /// The fleet as a rollout driver sees it, in this process: the repository's commits, the
  /// fleet's clusters.
  func targets(prestaging: ImagePrestager.Settings = .init()) -> FleetRolloutTargets {
    let (fleet, path, cache) = (fleet, repo.path, temp.appending("cache"))
    return FleetRolloutTargets(
      snapshot: { revision in try await openRevision(revision, repo: path, cacheRoot: cache) },
      client: { site in fleet.client(for: site.context) }, prestaging: prestaging)
  }

  /// A fleet.yaml rewrite that replaces `old` (which must be there) with `new`.
  static func replacing(_ old: String, with new: String) -> (String) throws -> String {
    { text in
      guard text.contains(old) else {
        throw RolloutTestFailure("fleet.yaml of the fixture has no \"\(old)\"")
      }
      return text.replacingOccurrences(of: old, with: new)
    }
  }

  var appFolder: String { "apps/\(app)/base" }

  /// Commits the Deployment with `image`; returns the commit id. `trailers` end the message.
  func commit(image: String, trailers: String? = nil) throws -> String {
    let path = "\(appFolder)/till.yaml"
    let text = try String(
      contentsOf: repo.directory.appendingPathComponent(path), encoding: .utf8)
    let image = text.replacingOccurrences(
      of: #"image: \S+"#, with: "image: \(image)", options: .regularExpression)
    try repo.write(path, image)
    return try repo.commit("Till image \(image)" + (trailers.map { "\n\n" + $0 } ?? ""))
  }

  // MARK: Commands

  private var kubeconfig: [String] { ["--kubeconfig", fleet.kubeconfigPath] }
  private var state: [String] { ["--state-name", stateName] }
  private var source: [String] {
    ["--repo", repo.path, "--cache-dir", temp.appending("cache").path]
  }

  /// `wavesync ARGUMENTS` with the repository (`--repo`, `--cache-dir`), the kubeconfig and
  /// this test's state, as the command takes them.
  func wavesync(
    _ arguments: [String], repository: Bool = false, state withState: Bool = true
  ) async throws -> ProcessResult {
    try await start(arguments, repository: repository, state: withState).finish()
  }

  func start(
    _ arguments: [String], repository: Bool = false, state withState: Bool = true
  ) throws -> AwaitedProcess {
    try WavesyncProcess.start(
      arguments + (repository ? source : []) + kubeconfig + (withState ? state : []))
  }

  /// `wavesync rollout` of the repository's HEAD, ticking fast and never polling for commits.
  func startRollout() throws -> AwaitedProcess {
    try start(
      ["rollout", "--tick-interval", Self.tickInterval, "--poll-interval", "0"], repository: true)
  }

  func rollout() async throws -> ProcessResult {
    try await startRollout().finish()
  }

  func rollback(to revision: String) async throws -> ProcessResult {
    try await wavesync(
      ["rollback", "--to", revision, "--tick-interval", Self.tickInterval], repository: true)
  }

  /// The rollout record, from `wavesync history --output json`.
  func record() async throws -> RecordView {
    let result = try await wavesync(["history", "--output", "json"])
    guard result.status == 0 else {
      throw RolloutTestFailure("wavesync history failed: \(result)")
    }
    let decoder = JSONDecoder()
    // Milliseconds, as the record is stored.
    decoder.dateDecodingStrategy = .custom { decoder in
      let text = try decoder.singleValueContainer().decode(String.self)
      return try Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)
    }
    return try decoder.decode(RecordView.self, from: Data(result.output.utf8))
  }

  /// Polls the record until `check` returns a value.
  func eventuallyInRecord<T: Sendable>(
    _ what: String, _ check: @escaping (RecordView) -> T?
  ) async throws -> T {
    try await eventually(what) { note in
      let record = try await record()
      note(record.summary)
      return check(record)
    }
  }

  // MARK: The sites' clusters

  var inventoryReference: ObjectReference {
    ObjectReference(
      apiVersion: "v1", kind: "ConfigMap", namespace: "wavesync-system",
      name: "wavesync-inventory-\(app)")
  }

  var deploymentReference: ObjectReference {
    ObjectReference(
      apiVersion: "apps/v1", kind: "Deployment", namespace: app, name: Self.deployment)
  }

  /// The site's inventory ConfigMap of this test's app, if there is one.
  func inventory(_ site: String) async throws -> Value? {
    try await fleet.client(for: site).get(inventoryReference)
  }

  /// The revision the site's inventory of this test's app records (nil: never applied).
  func inventoryRevision(_ site: String) async throws -> String? {
    try await inventory(site)?[path: ["data", "revision"]]?.stringValue
  }

  /// The image of the app's Deployment on the site (nil: no Deployment).
  func image(_ site: String) async throws -> String? {
    let deployment = try await fleet.client(for: site).get(deploymentReference)
    return deployment?[path: ["spec", "template", "spec", "containers"]]?[0]?["image"]?
      .stringValue
  }

  /// The resourceVersions of the site's inventory and Deployment: equal before and after means
  /// nothing was written to either.
  func writeMarks(_ site: String) async throws -> [String] {
    let client = fleet.client(for: site)
    var marks: [String] = []
    for reference in [inventoryReference, deploymentReference] {
      let object = try await client.get(reference)
      marks.append(object?[path: ["metadata", "resourceVersion"]]?.stringValue ?? "absent")
    }
    return marks
  }
}

// MARK: - The rollout record, as `history --output json` prints it

/// A case of a Swift enum with associated values as synthesized Codable writes it:
/// `{"healthy":{"at":"..."}}`, `{"pending":{}}`, `{"running":{"wave":1}}`.
struct TaggedCase: Decodable, Sendable, CustomStringConvertible {
  struct Fields: Decodable, Sendable {
    var at: Date?
    var since: Date?
    var until: Date?
    var reason: String?
    var wave: Int?
    var attempts: Int?
    var by: String?
  }

  var name: String
  var fields: Fields

  init(from decoder: any Decoder) throws {
    let cases = try decoder.singleValueContainer().decode([String: Fields].self)
    guard cases.count == 1, let (name, fields) = cases.first else {
      throw DecodingError.dataCorrupted(
        .init(codingPath: decoder.codingPath, debugDescription: "expected one case: \(cases)"))
    }
    self.name = name
    self.fields = fields
  }

  var description: String { name + (fields.reason.map { "(\($0))" } ?? "") }
}

struct RecordView: Decodable, Sendable {
  struct Site: Decodable, Sendable {
    var name: String
    var phase: TaggedCase
    var firstAttemptAt: Date?
    var attempts: Int
    /// When its payload arrived: from then on it held no share of the uplink budget.
    var transferredAt: Date?

    var healthyAt: Date? { phase.name == "healthy" ? phase.fields.at : nil }
  }

  struct Wave: Decodable, Sendable {
    var name: String
    var sites: [Site]
  }

  struct State: Decodable, Sendable {
    var revision: String
    var lastGoodRevision: String?
    var waves: [Wave]
    var phase: TaggedCase
    var paused: Bool
    var startedAt: Date

    var sites: [Site] { waves.flatMap(\.sites) }
    func site(_ name: String) -> Site? { sites.first { $0.name == name } }
    func wave(_ name: String) -> Wave? { waves.first { $0.name == name } }
    /// The name of the wave the phase is about, if any.
    var phaseWave: String? {
      phase.fields.wave.flatMap { waves.indices.contains($0) ? waves[$0].name : nil }
    }
  }

  struct Bad: Decodable, Sendable {
    var revision: String
    var reason: String
  }

  struct WaveSummary: Decodable, Sendable {
    var name: String
    var healthy: Int
    var failed: Int
    var skipped: Int
    var rolledBack: Int
    var untouched: Int
  }

  struct Summary: Decodable, Sendable {
    var revision: String
    var previousGoodRevision: String?
    var trigger: String
    var outcome: String
    var reason: String?
    var startedAt: Date
    var finishedAt: Date
    var waves: [WaveSummary]
  }

  var current: State?
  var currentTrigger: String?
  var lastGoodRevision: String?
  var badRevisions: [Bad]
  var behindSites: [String]
  var history: [Summary]

  func isBad(_ revision: String) -> Bool { badRevisions.contains { $0.revision == revision } }

  /// One line for failure messages.
  var summary: String {
    guard let current else { return "no rollout" }
    let sites = current.waves.map { wave in
      "\(wave.name)[" + wave.sites.map { "\($0.name) \($0.phase)" }.joined(separator: ", ") + "]"
    }
    return "\(current.revision.prefix(8)) \(current.phase)\(current.paused ? " (paused)" : "") "
      + sites.joined(separator: " ") + "; history: "
      + history.map { "\($0.revision.prefix(8)) \($0.trigger) \($0.outcome)" }.joined(
        separator: ", ")
  }
}
