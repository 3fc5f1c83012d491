import Foundation
import Testing
import WavesyncTesting

/// The `wavesync` executable on generated hostile commits of the retail fleet: each is refused
/// with an error naming the file and line, within bounded memory, and nothing is written.
@Suite("wavesync on hostile repositories")
struct HostileRepositoryTests {
  /// Far above what any of these runs needs (about 40 MB), far below what the hostile inputs
  /// took before they were limited (1 to 8 GB).
  static let memoryBound = 200 << 20

  /// A commit of the retail fleet with `files` added or replaced (text, or raw bytes).
  static func repository(
    in temp: TemporaryDirectory, _ files: [String: String] = [:], data: [String: Data] = [:]
  ) throws -> GitRepositoryBuilder {
    let repo = try GitRepositoryBuilder(in: temp.url, name: "fleet")
    try CLITests.copyFixture(into: repo)
    for (path, text) in files { try repo.write(path, text) }
    for (path, bytes) in data { try repo.write(path, data: bytes) }
    _ = try repo.commit("Hostile change")
    return repo
  }

  static func pricingResource(_ name: String) throws -> String {
    let path = RepositoryPaths.fixture("retail-fleet/apps/pricing/base/kustomization.yaml")
    return try String(contentsOf: path, encoding: .utf8).replacingOccurrences(
      of: "resources:\n", with: "resources:\n- \(name)\n")
  }

  static func nested(_ depth: Int) -> String {
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata: "
      + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n"
  }

  static let billionLaughs: String = {
    var lines = ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: lol", "data:"]
    lines.append("  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]")
    for level in 1...9 {
      let repeats = Array(repeating: "*l\(level - 1)", count: 9).joined(separator: ", ")
      lines.append("  l\(level): &l\(level) [\(repeats)]")
    }
    return lines.joined(separator: "\n") + "\n"
  }()

  func run(_ arguments: [String], in temp: TemporaryDirectory) async throws -> ProcessResult {
    try await WavesyncProcess.run(
      arguments + ["--cache-dir", temp.appending("cache").path], measuringPeakMemory: true)
  }

  func expectRefused(_ result: ProcessResult, _ expected: String) {
    #expect(result.status == 1, "\(result.errors)")
    #expect(result.output.isEmpty)
    #expect(result.errors.hasPrefix("error: " + expected), "\(result.errors)")
    let peak = result.peakMemoryBytes ?? 0
    #expect(peak > 0 && peak < Self.memoryBound, "peak RSS \(peak) bytes")
  }

  @Test func aSiteFileNested20000DeepIsRefusedBySites() async throws {
    let temp = try TemporaryDirectory()
    let depth = 20_000
    let repo = try Self.repository(
      in: temp,
      [
        "sites/deep.yaml": "a: " + String(repeating: "[", count: depth)
          + String(repeating: "]", count: depth)
      ])
    let result = try await run(["sites", "--repo", repo.path], in: temp)
    expectRefused(result, "sites/deep.yaml:1: mappings and lists nested more than 1000 levels deep")
  }

  @Test func aResourceNested100000DeepIsRefusedByRender() async throws {
    let temp = try TemporaryDirectory()
    let repo = try Self.repository(
      in: temp,
      [
        "apps/pricing/base/kustomization.yaml": try Self.pricingResource("deep.yaml"),
        "apps/pricing/base/deep.yaml": Self.nested(100_000),
      ])
    let result = try await run(["render", "--repo", repo.path, "--site", "paris-opera"], in: temp)
    expectRefused(
      result, "apps/pricing/base/deep.yaml:5: mappings and lists nested more than 1000 levels deep")
  }

  @Test func billionLaughsIsRefusedAndNothingIsWritten() async throws {
    let temp = try TemporaryDirectory()
    let repo = try Self.repository(
      in: temp,
      [
        "apps/pricing/base/kustomization.yaml": try Self.pricingResource("lol.yaml"),
        "apps/pricing/base/lol.yaml": Self.billionLaughs,
      ])
    let out = temp.appending("rendered")
    let result = try await run(
      ["render", "--repo", repo.path, "--all-sites", "--out", out.path], in: temp)
    expectRefused(
      result,
      "apps/pricing/base/lol.yaml:10: aliases repeat more than 10000 values beyond what the file writes out"
    )
    #expect(!FileManager.default.fileExists(atPath: out.path))
    #expect(try FileManager.default.contentsOfDirectory(atPath: temp.path).sorted() == ["fleet"])
  }

  @Test func a50MegabyteScalarIsRefusedBeforeItIsRead() async throws {
    let temp = try TemporaryDirectory()
    var scalar = Data("a: ".utf8)
    scalar.append(Data(repeating: UInt8(ascii: "x"), count: 50_000_000))
    let repo = try Self.repository(in: temp, data: ["sites/big.yaml": scalar])
    let result = try await run(["sites", "--repo", repo.path], in: temp)
    expectRefused(
      result,
      "sites/big.yaml: file is 50000003 bytes, more than the limit of 8388608 bytes per file")
  }

  /// Before the limit, a chain of 3,000 crashed with SIGSEGV; 200 keep the test fast (creating
  /// thousands of folders takes seconds here).
  @Test func aChainOfKustomizationsPastTheLimitIsRefusedByRenderKustomize() async throws {
    let temp = try TemporaryDirectory()
    let length = 200
    for index in 0..<length {
      let folder = temp.appending("chain/k\(index)")
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      let next = index + 1 < length ? "- ../k\(index + 1)\n" : "- configmap.yaml\n"
      try Data(("resources:\n" + next).utf8).write(
        to: folder.appendingPathComponent("kustomization.yaml"))
    }
    try Data("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: end\n".utf8).write(
      to: temp.appending("chain/k\(length - 1)/configmap.yaml"))
    let result = try await WavesyncProcess.run(
      ["render", "--kustomize", "chain/k0"], in: temp.url, measuringPeakMemory: true)
    expectRefused(
      result,
      "chain/k100/kustomization.yaml: kustomizations nested more than 100 deep (from chain/k0)")
  }

  @Test func aSoakLongerThanGoAllowsIsRefusedByPlan() async throws {
    let temp = try TemporaryDirectory()
    let path = RepositoryPaths.fixture("retail-fleet/fleet.yaml")
    let fleet = try String(contentsOf: path, encoding: .utf8).replacingOccurrences(
      of: "soak: 5m", with: "soak: 9999999999999999999h")
    let repo = try Self.repository(in: temp, ["fleet.yaml": fleet])
    let result = try await run(["plan", "--repo", repo.path, "--waves-only"], in: temp)
    expectRefused(
      result,
      "fleet.yaml:16: spec.rollout.defaults.soak: duration 9999999999999999999h is too long")
  }
}
