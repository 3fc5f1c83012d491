import Model
import Testing

/// `YAMLDocument.sourceText(at:)`: the text a scalar was written with, where its value is not
/// that same string (kustomize prints annotations as written).
@Suite("YAML source text of scalars")
struct YAMLSourceTextTests {
  static let text = """
    mode: 0777
    quoted: '0777'
    empty:
    tilde: ~
    list: [1, x, 2024-01-31]
    a/b~c: true
    nested:
      port: 9090
    """

  @Test func plainScalarsThatAreNotTheirTextKeepIt() throws {
    let document = try #require(try YAML.documents(from: Self.text, rules: .kustomize).first)
    #expect(document.value["mode"] == .int(511))
    #expect(document.sourceText(at: ["mode"]) == "0777")
    #expect(document.sourceText(at: ["empty"]) == "")
    #expect(document.sourceText(at: ["tilde"]) == "~")
    #expect(document.sourceText(at: ["list", "0"]) == "1")
    #expect(document.sourceText(at: ["list", "2"]) == "2024-01-31")
    #expect(document.sourceText(at: ["a/b~c"]) == "true")
    #expect(document.sourceText(at: ["nested", "port"]) == "9090")
  }

  @Test func stringsWrittenAsThemselvesHaveNoSourceText() throws {
    let document = try #require(try YAML.documents(from: Self.text, rules: .kustomize).first)
    #expect(document.sourceText(at: ["quoted"]) == nil)
    #expect(document.sourceText(at: ["list", "1"]) == nil)
    #expect(document.sourceText(at: ["missing"]) == nil)
    // Keys are not values.
    #expect(document.sourceText(at: ["nested"]) == nil)
  }
}
