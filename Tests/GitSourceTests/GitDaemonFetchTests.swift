import Foundation
import GitSource
import Model
import Testing
import WavesyncTesting

@Suite("Fetching over git:// from git daemon")
struct GitDaemonFetchTests {
  @Test func clonesAndReadsTheCommitTree() async throws {
    let temp = try TemporaryDirectory()
    let (repo, commit) = try FleetFixture.make(in: temp)
    try repo.symlink("clusters/link.yaml", to: "edge-1/app.yaml")
    let withLink = try repo.commit("Add a symbolic link")
    let daemon = try await GitDaemonServer(
      basePath: temp.appending("served").path, logDirectory: temp.url)
    defer { daemon.stop() }
    let mirror = GitMirror(url: daemon.url(for: "fleet"), cacheRoot: temp.appending("cache"))

    let result = try await mirror.fetch(ref: "main")
    #expect(result.commit.id == withLink)
    #expect(result.commit.parentIDs == [commit])
    #expect(result.commit.subject == "Add a symbolic link")
    #expect(result.commit.authorName == "Test Author")
    #expect(result.commit.authorEmail == "author@example.test")
    #expect(result.commit.authorDate == Date(timeIntervalSince1970: 1_700_000_120))
    #expect(!result.isOffline)
    #expect(result.url == daemon.url(for: "fleet"))

    let head = try await mirror.fetch()
    #expect(head.commit.id == withLink, "no ref means the remote's default branch")

    let snapshot = try await mirror.snapshot(ref: "main")
    #expect(snapshot.revision == withLink)
    #expect(try snapshot.tree.text(of: "clusters/edge-1/app.yaml") == FleetFixture.appYAML)
    #expect(
      try snapshot.tree.text(of: "clusters/edge-1/config/values.yaml") == FleetFixture.valuesYAML)
    #expect(try snapshot.tree.text(of: "README.md") == FleetFixture.readme)
    #expect(
      try snapshot.tree.entries(of: "clusters") == [
        FileTreeEntry(name: "edge-1", kind: .directory),
        FileTreeEntry(name: "edge-2", kind: .directory),
        FileTreeEntry(name: "link.yaml", kind: .file),
      ], "the symbolic link leads to a file inside the tree")
    #expect(try snapshot.tree.text(of: "clusters/link.yaml") == FleetFixture.appYAML)
    #expect(snapshot.tree.links == ["clusters/link.yaml": "edge-1/app.yaml"])
    #expect(
      try snapshot.tree.entries(of: "clusters/edge-1") == [
        FileTreeEntry(name: "app.yaml", kind: .file),
        FileTreeEntry(name: "config", kind: .directory),
      ])
    #expect(snapshot.tree.files.count == 4)
  }

  @Test func secondFetchIsIncremental() async throws {
    let temp = try TemporaryDirectory()
    let (repo, _) = try FleetFixture.make(in: temp)
    try repo.write("base/big.txt", FleetFixture.incompressibleText(bytes: 200_000, seed: 7))
    try repo.commit("Add a big file")
    let daemon = try await GitDaemonServer(
      basePath: temp.appending("served").path, logDirectory: temp.url)
    defer { daemon.stop() }
    let mirror = GitMirror(url: daemon.url(for: "fleet"), cacheRoot: temp.appending("cache"))
    let first = try await mirror.fetch(ref: "main")
    #expect(first.transfer.receivedBytes > 100_000)

    try repo.write("clusters/edge-1/config/values.yaml", "replicas: 3\n")
    let second = try repo.commit("Scale edge-1")
    let progress = ProgressLog()
    let result = try await mirror.fetch(ref: "main") { progress.record($0.receivedBytes) }

    #expect(result.commit.id == second)
    #expect(progress.receivedBytes.contains { $0 > 0 })
    #expect(result.transfer.receivedBytes > 0)
    #expect(result.transfer.receivedBytes < first.transfer.receivedBytes / 10)
    // New objects only: the commit, the trees root, clusters, edge-1, config, and one blob.
    #expect(result.transfer.receivedObjects == 6)
    let snapshot = try await mirror.snapshot(ref: "main")
    #expect(try snapshot.tree.text(of: "clusters/edge-1/config/values.yaml") == "replicas: 3\n")

    let unchanged = try await mirror.fetch(ref: "main")
    #expect(unchanged.transfer.receivedObjects == 0)
  }

  @Test func serverDownServesTheCacheOffline() async throws {
    let temp = try TemporaryDirectory()
    let (_, commit) = try FleetFixture.make(in: temp)
    let daemon = try await GitDaemonServer(
      basePath: temp.appending("served").path, logDirectory: temp.url)
    let url = daemon.url(for: "fleet")
    let mirror = GitMirror(url: url, cacheRoot: temp.appending("cache"))
    let online = try await mirror.fetch(ref: "main")
    daemon.stop()

    let offline = try await mirror.fetch(ref: "main")
    #expect(offline.isOffline)
    #expect(offline.commit.id == commit)
    #expect(offline.offlineReason?.isEmpty == false)
    #expect(offline.fetchedAt != nil)
    let sinceOnline = online.fetchedAt!.timeIntervalSince(offline.fetchedAt!)
    #expect((0..<1).contains(sinceOnline), "offline reports the time of the online fetch")
    let cached = try await mirror.cachedCommit(ref: "main")
    #expect(cached?.commit.id == commit)

    let empty = GitMirror(url: url, cacheRoot: temp.appending("empty-cache"))
    let error = await #expect(throws: GitSourceError.self) { try await empty.fetch(ref: "main") }
    guard case .unreachable(let reported, _)? = error else {
      Issue.record("expected unreachable, got \(String(describing: error))")
      return
    }
    #expect(reported == url)
    #expect(error!.description.contains(url))
    #expect(try await empty.cachedCommit() == nil, "a failed first fetch leaves no cache")
  }
}
