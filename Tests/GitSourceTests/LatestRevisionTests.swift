import Foundation
import GitSource
import Model
import Testing
import WavesyncTesting

/// Polling for a newer commit reads its id, never its files: a commit whose files cannot be
/// read (here one file over the per-file limit) is still seen, for the render step to refuse.
@Suite("Polling for the latest revision")
struct LatestRevisionTests {
  @Test func theLatestCommitIsSeenWithoutReadingItsFiles() async throws {
    let temp = try TemporaryDirectory()
    let (repo, first) = try FleetFixture.make(in: temp)
    let cache = temp.appending("cache")
    for location in [repo.path, "file://" + repo.path] {
      #expect(try await latestRevision(repo: location, ref: "main", cacheRoot: cache) == first)
    }

    let oversized = RepositoryLimits.default.bytesPerFile + 1
    try repo.write("blob.bin", data: Data(repeating: 0x61, count: oversized))
    let second = try repo.commit("A file over the limit")
    for location in [repo.path, "file://" + repo.path] {
      await #expect(throws: GitSourceError.self, "\(location)") {
        _ = try await openSource(repo: location, ref: "main", cacheRoot: cache)
      }
      #expect(
        try await latestRevision(repo: location, ref: "main", cacheRoot: cache) == second,
        "\(location)")
    }
  }
}
