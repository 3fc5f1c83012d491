import Foundation
import GitSource
import Testing
import WavesyncTesting

@Suite("Resolving refs, old trees and history from the cache")
struct RefResolutionTests {
  @Test func resolvesTagsBranchesAndCommitIDs() async throws {
    let temp = try TemporaryDirectory()
    let repo = try GitRepositoryBuilder(in: temp.appending("served"), name: "fleet")
    try repo.write("version.txt", "1\n")
    try repo.write("retired.yaml", "kind: ConfigMap\n")
    let first = try repo.commit("Release one")
    try repo.tag("v1", message: "Version one")
    try repo.remove("retired.yaml")
    try repo.write("version.txt", "2\n")
    let second = try repo.commit("Release two")
    try repo.tag("light")
    try repo.checkout(newBranch: "feature")
    try repo.write("feature.txt", "wip\n")
    let feature = try repo.commit("Feature work")
    try repo.checkout("main")
    try repo.write("version.txt", "3\n")
    let third = try repo.commit("Release three")

    let daemon = try await GitDaemonServer(
      basePath: temp.appending("served").path, logDirectory: temp.url)
    defer { daemon.stop() }
    let url = daemon.url(for: "fleet")
    let mirror = GitMirror(url: url, cacheRoot: temp.appending("cache"))
    #expect(try await mirror.fetch().commit.id == third)

    let expectations: [(String?, String)] = [
      (nil, third), ("HEAD", third), ("main", third), ("feature", feature),
      ("v1", first), ("refs/tags/v1", first), ("light", second),
      (String(first.prefix(7)), first), (second, second),
    ]
    for (ref, id) in expectations {
      #expect(try await mirror.cachedCommit(ref: ref)?.commit.id == id, "ref \(ref ?? "nil")")
    }
    #expect(try await mirror.fetch(ref: "v1").commit.subject == "Release one")

    let missing = await #expect(throws: GitSourceError.self) {
      try await mirror.fetch(ref: "no-such-branch")
    }
    #expect(missing == .refNotFound(ref: "no-such-branch", url: url))
    #expect(missing?.description.contains("no-such-branch") == true)

    let old = try await mirror.snapshot(ref: "v1")
    #expect(old.revision == first)
    #expect(try old.tree.text(of: "version.txt") == "1\n")
    #expect(try old.tree.text(of: "retired.yaml") == "kind: ConfigMap\n")
    let current = try await mirror.snapshot()
    #expect(try current.tree.contents(of: "retired.yaml") == nil)

    #expect(try await mirror.history(ref: "main", limit: 10).map(\.id) == [third, second, first])
    #expect(try await mirror.history(limit: 2).map(\.id) == [third, second])
    #expect(
      try await mirror.history(ref: "feature", limit: 10).map(\.subject) == [
        "Feature work", "Release two", "Release one",
      ])
  }
}
