import Foundation
import Model
import Render
import Testing
import WavesyncTesting

/// Every case of fixtures/kustomize-cases renders exactly what `kubectl kustomize` printed for it
/// (expected.yaml): the same objects in the same order with the same values, and the same text.
@Suite("Kustomize compatibility with kubectl kustomize")
struct KustomizeCompatibilityTests {
  static let cases = RepositoryPaths.cases(in: "kustomize-cases")

  @Test func corpusIsThere() {
    #expect(Self.cases.count >= 60)
  }

  @Test(arguments: cases)
  func rendersAsKubectlKustomize(_ name: String) throws {
    let kase = KustomizeCase(corpus: "kustomize-cases", name: name)
    let expectedText = try #require(try kase.text("expected.yaml"))
    try KustomizeCase.expectSameOutput(try kase.build(), as: expectedText)
  }
}
