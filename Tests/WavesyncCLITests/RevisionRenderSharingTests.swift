import Controller
import Foundation
import GitSource
import Synchronization
import Testing
import WavesyncTesting

/// The driver's targets render a revision once, however many callers ask for it at once, and
/// off the cooperative pool; a failed render is tried again by the next caller.
@Suite struct RevisionRenderSharingTests {
  final class Reads: Sendable {
    let count = Mutex(0)
  }

  @Test func concurrentCallersShareOneRender() async throws {
    let temp = try TemporaryDirectory()
    let repo = try GitRepositoryBuilder(in: temp.url, name: "fleet")
    try CLITests.copyFixture(into: repo)
    let revision = try repo.commit("Retail fleet")
    let reads = Reads()
    let (path, cache) = (repo.path, temp.appending("cache"))
    let targets = FleetRolloutTargets(
      snapshot: { revision in
        reads.count.withLock { $0 += 1 }
        return try await openRevision(revision, repo: path, cacheRoot: cache)
      },
      client: { site in throw TimedOut(description: "no cluster is reached to prepare") })

    let siteCounts = try await withThrowingTaskGroup(of: Int.self) { group in
      for _ in 0..<8 { group.addTask { try await targets.prepare(revision: revision).sites.count } }
      return try await group.reduce(into: []) { $0.append($1) }
    }
    #expect(siteCounts == Array(repeating: 20, count: 8))
    #expect(reads.count.withLock { $0 } == 1)

    // A revision that cannot be read fails for its callers, and is read again next time.
    await #expect(throws: (any Error).self) {
      try await targets.prepare(revision: "0" + revision.dropFirst())
    }
    await #expect(throws: (any Error).self) {
      try await targets.prepare(revision: "0" + revision.dropFirst())
    }
    #expect(reads.count.withLock { $0 } == 3)
  }
}
