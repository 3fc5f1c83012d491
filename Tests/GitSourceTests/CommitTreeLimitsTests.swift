import Foundation
import GitSource
import Model
import Testing
import WavesyncTesting

/// What a commit may hold: links followed inside the tree only, and files within the byte limits.
@Suite("Commit trees: symbolic links and sizes")
struct CommitTreeLimitsTests {
  @Test func committedLinksLeadInsideTheTreeOnly() async throws {
    let temp = try TemporaryDirectory()
    let (repo, _) = try FleetFixture.make(in: temp)
    try repo.symlink("clusters/edge-3", to: "edge-1")
    try repo.symlink("clusters/edge-2/values.yaml", to: "../edge-1/config/values.yaml")
    try repo.symlink("clusters/passwd", to: "/etc/passwd")
    try repo.symlink("clusters/up", to: "../../outside")
    _ = try repo.commit("Links")

    let tree = try await LocalGitRepository(path: repo.path).snapshot().tree
    #expect(try tree.text(of: "clusters/edge-3/config/values.yaml") == FleetFixture.valuesYAML)
    #expect(try tree.text(of: "clusters/edge-2/values.yaml") == FleetFixture.valuesYAML)
    #expect(tree.links["clusters/passwd"] == "/etc/passwd")
    #expect(throws: FileTreeError.linkLeavesRoot(path: "clusters/passwd", target: "/etc/passwd")) {
      try tree.contents(of: "clusters/passwd")
    }
    #expect(throws: FileTreeError.linkLeavesRoot(path: "clusters/up", target: "../../outside")) {
      try tree.contents(of: "clusters/up/x.yaml")
    }
  }

  @Test func aBlobOverTheLimitIsRefusedByName() async throws {
    let temp = try TemporaryDirectory()
    let (repo, _) = try FleetFixture.make(in: temp)
    let limit = RepositoryLimits.default.bytesPerFile
    try repo.write("clusters/edge-1/huge.yaml", data: Data(count: limit + 1))
    _ = try repo.commit("Huge file")
    let error = await #expect(throws: GitSourceError.self) {
      try await LocalGitRepository(path: repo.path).snapshot()
    }
    #expect(
      error
        == .fileTree(
          .fileTooLarge(path: "clusters/edge-1/huge.yaml", bytes: limit + 1, limit: limit))
    )
    #expect(
      error?.description
        == "clusters/edge-1/huge.yaml: file is \(limit + 1) bytes, more than the limit of \(limit) bytes per file"
    )
  }

  @Test func foldersNestedTooDeepAreRefused() async throws {
    let temp = try TemporaryDirectory()
    let repo = try GitRepositoryBuilder(in: temp.url, name: "deep")
    // No work tree could hold 2,000 nested folders (PATH_MAX), but a commit can (20,000 crashed
    // the reader): write it straight into the object database.
    let path = Array(repeating: "a", count: 2_000).joined(separator: "/") + "/f.yaml"
    let stream = """
      commit refs/heads/main
      committer Test <test@example.test> 1700000000 +0000
      data 4
      deep
      M 100644 inline \(path)
      data 5
      x: 1

      """
    let input = temp.appending("fast-import")
    try Data(stream.utf8).write(to: input)
    try await CommandRunner.run(
      "/bin/sh", ["-c", "exec git fast-import --quiet < \"$1\"", "sh", input.path],
      in: repo.directory)
    let limit = RepositoryLimits.default.folderDepth
    let error = await #expect(throws: GitSourceError.self) {
      try await LocalGitRepository(path: repo.path).snapshot(ref: "main")
    }
    let deepest = Array(repeating: "a", count: limit + 1).joined(separator: "/")
    #expect(error == .fileTree(.foldersTooDeep(path: deepest, limit: limit)))
  }

  @Test func aPlainFolderOverTheRevisionLimitIsRefusedAtTheFileThatPassesIt() throws {
    let temp = try TemporaryDirectory()
    let root = temp.appending("plain")
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    for name in ["a.yaml", "b.yaml", "c.yaml"] {
      try Data(count: 40).write(to: root.appendingPathComponent(name))
    }
    var limits = RepositoryLimits.default
    limits.bytesPerRevision = 100
    #expect(throws: FileTreeError.revisionTooLarge(path: "c.yaml", limit: 100)) {
      try LocalDirectoryTree(root: root.path, limits: limits).loadAll()
    }
    limits.bytesPerFile = 39
    #expect(throws: FileTreeError.fileTooLarge(path: "a.yaml", bytes: 40, limit: 39)) {
      try LocalDirectoryTree(root: root.path, limits: limits).contents(of: "a.yaml")
    }
  }
}
