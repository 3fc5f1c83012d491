import Foundation
import Model
import Render
import Testing
import WavesyncTesting

/// fixtures/krusty-cases: kustomize's own krusty tests (api/krusty/*_test.go at api/v0.18.0),
/// extracted by scripts/extract-krusty-corpus.py with kubectl's output recorded. Every input
/// kubectl builds renders byte for byte as kubectl printed it, or is named in refused.txt and
/// refused by Wavesync with an error; every input kubectl refuses, Wavesync refuses too. A
/// difference not yet fixed is named in known-differences.txt and counted as a known issue.
@Suite("kustomize's krusty tests as the reference")
struct KrustyCorpusTests {
  static let corpus = "krusty-cases"
  static let cases = RepositoryPaths.cases(in: corpus)
  static let refused = CaseList(file: "refused.txt")
  static let knownDifferences = CaseList(file: "known-differences.txt")

  @Test func corpusIsThere() {
    #expect(Self.cases.count >= 150)
  }

  @Test func listsNameCasesOnceWithAReason() throws {
    for list in [Self.refused, Self.knownDifferences] {
      let entries = try list.entries()
      for entry in entries {
        #expect(Self.cases.contains(entry.name), "\(list.file): no case \(entry.name)")
        #expect(!entry.reason.isEmpty, "\(list.file): \(entry.name) gives no reason")
      }
      #expect(Set(entries.map(\.name)).count == entries.count, "\(list.file) names a case twice")
    }
    let both = try Set(Self.refused.names()).intersection(Self.knownDifferences.names())
    #expect(both.isEmpty, "in both lists: \(both.sorted())")
    for name in try Self.refused.names() {
      let kase = KustomizeCase(corpus: Self.corpus, name: name)
      #expect(try kase.text("expected.yaml") != nil, "refused.txt: kubectl refuses \(name) too")
    }
  }

  @Test(arguments: cases)
  func matchesKubectlOrIsRefusedAsListed(_ name: String) throws {
    let kase = KustomizeCase(corpus: Self.corpus, name: name)
    if try Self.knownDifferences.names().contains(name) {
      withKnownIssue("listed in known-differences.txt") { try Self.check(kase, name: name) }
    } else {
      try Self.check(kase, name: name)
    }
  }

  private static func check(_ kase: KustomizeCase, name: String) throws {
    guard let expected = try kase.text("expected.yaml") else {
      // kubectl refused this input (kubectl-error.txt): Wavesync refuses it too.
      #expect(throws: RenderError.self, "kubectl refuses \(name)") { try kase.build() }
      return
    }
    guard try refused.names().contains(name) else {
      try KustomizeCase.expectSameOutput(try kase.build(), as: expected)
      return
    }
    do {
      let objects = try kase.build()
      let matches = try KustomizeCase.sameOutput(objects, as: expected)
      Issue.record(
        "\(name) is listed in refused.txt but builds now (\(matches ? "matching" : "differing from") kubectl); take it off the list"
      )
    } catch let error as RenderError {
      #expect(error.file != nil, "the error names the file at fault: \(error)")
    }
  }

  /// The tally, printed for the record (fixtures/krusty-cases/README.md quotes it).
  @Test func tally() throws {
    var builtByKubectl: Set<String> = []
    for name in Self.cases
    where try KustomizeCase(corpus: Self.corpus, name: name).text("expected.yaml") != nil {
      builtByKubectl.insert(name)
    }
    let refused = try Self.refused.names().count
    let differences = try Self.knownDifferences.names()
    let differ = differences.filter(builtByKubectl.contains).count
    let kubectlRefuses = Self.cases.count - builtByKubectl.count
    let notRefused = differences.count - differ
    print(
      "krusty corpus: \(Self.cases.count) cases; kubectl builds \(builtByKubectl.count): "
        + "\(builtByKubectl.count - refused - differ) match, \(refused) refused by Wavesync, "
        + "\(differ) known differences; kubectl refuses \(kubectlRefuses): "
        + "\(kubectlRefuses - notRefused) refused by Wavesync too, \(notRefused) known differences")
    #expect(refused + differ <= builtByKubectl.count)
  }

  /// A list file of the corpus: one case a line, then its reason; `#` starts a comment.
  struct CaseList {
    let file: String

    struct Entry {
      let name: String
      let reason: String
    }

    func entries() throws -> [Entry] {
      let url = RepositoryPaths.fixture("\(KrustyCorpusTests.corpus)/\(file)")
      guard FileManager.default.fileExists(atPath: url.path) else { return [] }
      return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").compactMap {
        line in
        let text = line.prefix { $0 != "#" }.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return nil }
        let name = text.prefix { !$0.isWhitespace }
        return Entry(
          name: String(name),
          reason: text.dropFirst(name.count).trimmingCharacters(in: .whitespaces))
      }
    }

    func names() throws -> [String] { try entries().map(\.name) }
  }
}
