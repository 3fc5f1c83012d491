import Foundation
import GitSource
import Model
import Testing
import WavesyncTesting

@Suite("Local repositories and plain directories")
struct LocalSourceTests {
  @Test func fetchesFromFileURLAndPlainPath() async throws {
    let temp = try TemporaryDirectory()
    let (repo, commit) = try FleetFixture.make(in: temp)
    for url in ["file://" + repo.path, repo.path] {
      let mirror = GitMirror(url: url, cacheRoot: temp.appending("cache"))
      let result = try await mirror.fetch(ref: "main")
      #expect(result.commit.id == commit, "\(url)")
      let snapshot = try await mirror.snapshot(ref: "main")
      #expect(try snapshot.tree.text(of: "clusters/edge-2/app.yaml") == FleetFixture.appYAML)
    }
  }

  @Test func rebuildsACacheDirectoryThatIsNoRepository() async throws {
    let temp = try TemporaryDirectory()
    let (repo, commit) = try FleetFixture.make(in: temp)
    let mirror = GitMirror(url: repo.path, cacheRoot: temp.appending("cache"))
    try FileManager.default.createDirectory(
      at: mirror.cacheDirectory, withIntermediateDirectories: true)
    try Data("junk".utf8).write(to: mirror.cacheDirectory.appendingPathComponent("junk"))
    let error = await #expect(throws: GitSourceError.self) { try await mirror.cachedCommit() }
    #expect(error == .notARepository(path: mirror.cacheDirectory.path))
    #expect(try await mirror.fetch().commit.id == commit)
  }

  @Test func readsALocalRepositoryInPlace() async throws {
    let temp = try TemporaryDirectory()
    let (repo, first) = try FleetFixture.make(in: temp)
    try repo.tag("v1")
    try repo.write("README.md", "# Fleet v2\n")
    let second = try repo.commit("Update readme")
    // Uncommitted changes are not part of any snapshot.
    try repo.write("README.md", "# dirty\n")

    let head = try await openSource(repo: repo.path, cacheRoot: temp.appending("cache"))
    #expect(head.revision == second)
    #expect(head.fetch == nil)
    #expect(try head.tree.text(of: "README.md") == "# Fleet v2\n")
    let tagged = try await openSource(
      repo: repo.path, ref: "v1", cacheRoot: temp.appending("cache"))
    #expect(tagged.revision == first)
    #expect(try tagged.tree.text(of: "README.md") == FleetFixture.readme)

    let local = try LocalGitRepository(path: repo.path)
    #expect(try await local.history(limit: 5).map(\.id) == [second, first])
    #expect(try await local.resolve("main").id == second)
  }

  @Test func openSourceFetchesURLs() async throws {
    let temp = try TemporaryDirectory()
    let (repo, commit) = try FleetFixture.make(in: temp)
    let snapshot = try await openSource(
      repo: "file://" + repo.path, ref: "main", cacheRoot: temp.appending("cache"))
    #expect(snapshot.revision == commit)
    #expect(snapshot.fetch?.isOffline == false)
    #expect(try snapshot.tree.text(of: "README.md") == FleetFixture.readme)
  }

  @Test func followsLinksInsideAPlainDirectory() async throws {
    let temp = try TemporaryDirectory()
    let root = temp.appending("plain")
    let shared = root.appendingPathComponent("shared/shop")
    try FileManager.default.createDirectory(at: shared, withIntermediateDirectories: true)
    try FileManager.default.createDirectory(
      at: root.appendingPathComponent("apps"), withIntermediateDirectories: true)
    try Data("replicas: 1\n".utf8).write(to: shared.appendingPathComponent("values.yaml"))
    try FileManager.default.createSymbolicLink(
      atPath: root.appendingPathComponent("apps/shop").path, withDestinationPath: "../shared/shop")
    // An absolute target inside the folder reads as the same path relative to the link.
    try FileManager.default.createSymbolicLink(
      atPath: root.appendingPathComponent("apps/values.yaml").path,
      withDestinationPath: shared.appendingPathComponent("values.yaml").path)

    let tree = try LocalDirectoryTree(root: root.path)
    #expect(try tree.text(of: "apps/shop/values.yaml") == "replicas: 1\n")
    #expect(try tree.text(of: "apps/values.yaml") == "replicas: 1\n")
    #expect(
      try tree.entries(of: "apps") == [
        FileTreeEntry(name: "shop", kind: .directory),
        FileTreeEntry(name: "values.yaml", kind: .file),
      ])

    let loaded = try tree.loadAll()
    #expect(loaded.files.keys.sorted() == ["shared/shop/values.yaml"])
    #expect(
      loaded.links == [
        "apps/shop": "../shared/shop", "apps/values.yaml": "../shared/shop/values.yaml",
      ])
    #expect(try loaded.text(of: "apps/shop/values.yaml") == "replicas: 1\n")
  }

  @Test func readsAPlainDirectory() async throws {
    let temp = try TemporaryDirectory()
    let root = temp.appending("plain")
    try FileManager.default.createDirectory(
      at: root.appendingPathComponent("apps/shop"), withIntermediateDirectories: true)
    try Data("kind: Namespace\n".utf8).write(to: root.appendingPathComponent("ns.yaml"))
    try Data("replicas: 1\n".utf8).write(to: root.appendingPathComponent("apps/shop/values.yaml"))
    try Data("secret\n".utf8).write(to: temp.appending("outside.txt"))
    try FileManager.default.createSymbolicLink(
      atPath: root.appendingPathComponent("leak.txt").path,
      withDestinationPath: temp.appending("outside.txt").path)

    let tree = try LocalDirectoryTree(root: root.path)
    #expect(try tree.text(of: "apps/shop/values.yaml") == "replicas: 1\n")
    #expect(try tree.text(of: "/ns.yaml") == "kind: Namespace\n")
    #expect(
      try tree.entries(of: "apps") == [FileTreeEntry(name: "shop", kind: .directory)])
    let leak = FileTreeError.linkLeavesRoot(
      path: "leak.txt", target: temp.appending("outside.txt").path)
    #expect(throws: leak) { try tree.contents(of: "leak.txt") }
    #expect(throws: leak, "listing the folder names the link") { try tree.entries(of: "") }
    #expect(try tree.contents(of: "missing.yaml") == nil)
    #expect(try tree.entries(of: "ns.yaml") == nil)
    #expect(throws: FileTreeError.escapesRoot(path: "../outside.txt")) {
      try tree.contents(of: "../outside.txt")
    }
    #expect(throws: FileTreeError.self) { try tree.entries(of: "apps/../../plain") }

    let snapshot = try await openSource(repo: root.path, cacheRoot: temp.appending("cache"))
    #expect(snapshot.commit == nil)
    #expect(snapshot.revision.hasPrefix("workdir-"))
    #expect(snapshot.tree.files.keys.sorted() == ["apps/shop/values.yaml", "ns.yaml"])
    #expect(snapshot.tree.links == ["leak.txt": temp.appending("outside.txt").path])
    #expect(throws: leak, "the loaded tree refuses it as well") {
      try snapshot.tree.contents(of: "leak.txt")
    }
    try Data("replicas: 2\n".utf8).write(to: root.appendingPathComponent("apps/shop/values.yaml"))
    let changed = try await openSource(repo: root.path, cacheRoot: temp.appending("cache"))
    #expect(changed.revision != snapshot.revision)

    let error = await #expect(throws: GitSourceError.self) {
      try await openSource(repo: root.path, ref: "main", cacheRoot: temp.appending("cache"))
    }
    #expect(error == .refOnPlainDirectory(ref: "main", path: root.path))
    #expect(throws: GitSourceError.notARepository(path: root.path)) {
      try LocalGitRepository(path: root.path)
    }
  }
}
