import Foundation
import Testing
import WavesyncTesting

/// `render --all-sites --out DIR` replaces DIR as a whole, or leaves it as it was.
@Suite("wavesync render --all-sites --out")
struct RenderOutTests {
  let temp: TemporaryDirectory
  let repo: GitRepositoryBuilder
  let out: URL

  init() throws {
    temp = try TemporaryDirectory()
    repo = try GitRepositoryBuilder(in: temp.url, name: "fleet")
    try CLITests.copyFixture(into: repo)
    _ = try repo.commit("Retail fleet")
    out = temp.appending("rendered")
  }

  var arguments: [String] {
    [
      "render", "--repo", repo.path, "--all-sites", "--out", out.path, "--cache-dir",
      temp.appending("cache").path,
    ]
  }

  /// Every file under `folder`, by relative path, with its bytes.
  func snapshot(_ folder: URL) throws -> [String: Data] {
    var files: [String: Data] = [:]
    let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
    while let file = enumerator?.nextObject() as? URL {
      guard (try file.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true else {
        continue
      }
      files[
        String(file.standardizedFileURL.path.dropFirst(folder.standardizedFileURL.path.count + 1))] =
        try Data(contentsOf: file)
    }
    return files
  }

  @Test func siteFoldersOfAnEarlierRenderDoNotSurvive() async throws {
    let stale = out.appendingPathComponent("closed-store")
    try FileManager.default.createDirectory(at: stale, withIntermediateDirectories: true)
    try Data("kind: Namespace\n".utf8).write(to: stale.appendingPathComponent("manifests.yaml"))
    let result = try await WavesyncProcess.run(arguments)
    #expect(result.status == 0, "\(result.errors)")
    let folders = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
    #expect(!folders.contains("closed-store"))
    #expect(
      folders == result.output.split(separator: "\n").map { String($0.prefix { $0 != "\t" }) })
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: temp.path).sorted() == [
        "fleet", "rendered",
      ])
  }

  @Test func aFolderHoldingOtherFilesIsNotReplaced() async throws {
    try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    try Data("mine\n".utf8).write(to: out.appendingPathComponent("notes.txt"))
    let result = try await WavesyncProcess.run(arguments)
    #expect(result.status == 1)
    #expect(
      result.errors
        == "error: --out \(out.path) holds notes.txt, which is not a site folder of an earlier render; give a new or empty folder (render replaces the whole folder)\n"
    )
    #expect(try snapshot(out) == ["notes.txt": Data("mine\n".utf8)])
  }

  @Test func aWriteFailureLeavesTheEarlierRenderAsItWas() async throws {
    let first = try await WavesyncProcess.run(arguments)
    #expect(first.status == 0, "\(first.errors)")
    let before = try snapshot(out)
    #expect(before.count == first.output.split(separator: "\n").count)

    // A file size limit of 512 bytes (and SIGXFSZ ignored) makes the first manifest write fail
    // with EFBIG, as a full disk would.
    let result = try await AwaitedProcess.run(
      URL(fileURLWithPath: "/bin/sh"),
      ["-c", "trap '' XFSZ; ulimit -f 1; exec \"$0\" \"$@\"", WavesyncProcess.executable.path]
        + arguments)
    #expect(result.status == 1, "\(result.errors)")
    #expect(result.output.isEmpty)
    let message = try #require(result.errors.split(separator: "\n").first.map(String.init))
    #expect(
      message.hasPrefix("error: cannot write \(temp.url.standardizedFileURL.path)/.rendered.new-"))
    #expect(message.hasSuffix("/manifests.yaml: File too large"), "\(message)")
    #expect(try snapshot(out) == before)
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: temp.path).sorted() == [
        "fleet", "rendered",
      ])
  }
}
