public import Foundation
public import Model

/// charts/wavesync through Helm's own engine: `scripts/helm-chart.py` run by the Python of the
/// venv that `scripts/install-deps.sh` makes (the PyPI package helm-python-sdk, Helm's Go SDK).
public enum HelmChart {
  public static let chart = RepositoryPaths.root.appendingPathComponent("charts/wavesync")
  static let script = RepositoryPaths.root.appendingPathComponent("scripts/helm-chart.py")

  /// `WAVESYNC_HELM_PYTHON` (the test command sets it), else the venv's default place.
  static var python: URL {
    if let path = ProcessInfo.processInfo.environment["WAVESYNC_HELM_PYTHON"], !path.isEmpty {
      return URL(fileURLWithPath: path)
    }
    return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(
      ".cache/wavesync/helm-venv/bin/python")
  }

  /// Values as `--set-json KEY=JSON` arguments.
  static func setting(_ values: [String: String]) -> [String] {
    values.sorted { $0.key < $1.key }.flatMap { ["--set-json", "\($0.key)=\($0.value)"] }
  }

  /// The chart's objects for a release, with `values` (dotted keys, JSON values) over the
  /// chart's defaults.
  public static func render(
    release: String, namespace: String, values: [String: String] = [:]
  ) async throws -> [Value] {
    let text = try await run(
      ["render", chart.path, "--release", release, "--namespace", namespace] + setting(values))
    return try YAML.documents(from: text, file: "helm render", rules: .kubectl).map(\.value)
  }

  /// The arguments of the first container of the Deployment among `objects`.
  public static func containerArguments(_ objects: [Value]) throws -> [String] {
    guard let deployment = objects.first(where: { $0["kind"] == "Deployment" }),
      let arguments = deployment[path: ["spec", "template", "spec", "containers"]]?.arrayValue?
        .first?["args"]?.arrayValue
    else {
      throw CommandError(
        command: "helm-chart.py render", status: 0, output: "no Deployment with arguments")
    }
    return arguments.compactMap(\.stringValue)
  }

  /// `lint` with `values`: its exit status and what it printed.
  public static func lint(values: [String: String] = [:]) async throws -> ProcessResult {
    try await AwaitedProcess.run(python, [script.path, "lint", chart.path] + setting(values))
  }

  static func run(_ arguments: [String]) async throws -> String {
    guard FileManager.default.isExecutableFile(atPath: python.path) else {
      throw CommandError(
        command: python.path, status: -1,
        output: "no Python with helm-python-sdk: run scripts/install-deps.sh")
    }
    let result = try await AwaitedProcess.run(python, [script.path] + arguments)
    guard result.status == 0 else {
      throw CommandError(
        command: "helm-chart.py " + arguments.joined(separator: " "), status: result.status,
        output: result.output + result.errors)
    }
    return result.output
  }
}
