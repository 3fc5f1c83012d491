import Foundation
import Model
import Testing

@Suite("Value")
struct ValueTests {
  static let manifest: Value = [
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": ["name": "web", "labels": ["app": "web", "tier": "edge"]],
    "spec": ["replicas": 3, "ports": [80, 443]],
  ]

  @Test func memberAndElementAccess() {
    let v = Self.manifest
    #expect(v["kind"] == "Deployment")
    #expect(v["missing"] == nil)
    #expect(v["spec"]?["ports"]?[1] == 443)
    #expect(v["spec"]?["ports"]?[2] == nil)
    #expect(v["spec"]?["ports"]?[-1] == nil)
    #expect(v[0] == nil)
    #expect(Value.string("text")["key"] == nil)
    #expect(Value.array(["a"])["key"] == nil)
  }

  @Test func pathGet() {
    let v = Self.manifest
    #expect(v[path: ["metadata", "labels", "tier"]] == "edge")
    #expect(v[path: []] == v)
    #expect(v[path: ["metadata", "nope", "x"]] == nil)
    #expect(v[path: ["kind", "x"]] == nil)
    #expect(v[path: ["spec", "ports"]] == [80, 443])
  }

  @Test func pathSet() {
    var v = Self.manifest
    v[path: ["metadata", "labels", "tier"]] = "core"
    v[path: ["metadata", "annotations", "a.io/x"]] = "1"
    v[path: ["status", "ready", "count"]] = 2
    #expect(v[path: ["metadata", "labels"]] == ["app": "web", "tier": "core"])
    #expect(v[path: ["metadata", "annotations"]] == ["a.io/x": "1"])
    #expect(v["status"] == ["ready": ["count": 2]])
    // New keys go last; replaced keys keep their place.
    #expect(
      v.objectValue.map { Array($0.keys) } == ["apiVersion", "kind", "metadata", "spec", "status"])
    #expect(v["metadata"]?.objectValue.map { Array($0.keys) } == ["name", "labels", "annotations"])

    // Setting below a non-object replaces it with an object.
    v[path: ["kind", "sub"]] = 1
    #expect(v["kind"] == ["sub": 1])
    var scalar = Value.string("x")
    scalar["k"] = true
    #expect(scalar == ["k": true])
    // The empty path sets the whole value.
    v[path: []] = "whole"
    #expect(v == "whole")
  }

  @Test func pathRemove() {
    var v = Self.manifest
    v[path: ["metadata", "labels", "tier"]] = nil
    #expect(v[path: ["metadata", "labels"]] == ["app": "web"])
    v[path: ["spec"]] = nil
    #expect(v.objectValue.map { Array($0.keys) } == ["apiVersion", "kind", "metadata"])
    v["kind"] = nil
    #expect(v["kind"] == nil)
    var same = v
    same[path: []] = nil
    #expect(same == v)
  }

  /// Removing something that is not there changes nothing: no parents are built on the way
  /// down, and a scalar parent stays a scalar.
  @Test func removingAMissingPathChangesNothing() {
    var v = Self.manifest
    v[path: ["status", "conditions"]] = nil
    #expect(v == Self.manifest)
    var scalar = Value.string("x")
    scalar["k"] = nil
    #expect(scalar == "x")
  }

  @Test func typedAccessors() {
    #expect(Value.double(3).intValue == 3)
    #expect(Value.double(3.5).intValue == nil)
    #expect(Value.uint(.max).intValue == nil)
    #expect(Value.uint(7).intValue == 7)
    #expect(Value.string("3").intValue == nil)
    #expect(Value.int(2).doubleValue == 2)
    #expect(Value.uint(.max).doubleValue == 1.8446744073709552e19)
    #expect(Value.bool(true).doubleValue == nil)
    #expect(Value.null.isNull && !Value.string("").isNull)
    #expect(Value.bool(false).boolValue == false)
    #expect(Value.string("s").stringValue == "s" && Value.int(1).stringValue == nil)
    #expect(Value.array([1]).arrayValue == [1] && Value.emptyObject.objectValue == [:])
  }

  @Test(arguments: [
    (Value.null, "null", "null"), (.bool(true), "boolean", "a boolean"),
    (.int(1), "integer", "an integer"), (.uint(.max), "integer", "an integer"),
    (.double(0.5), "number", "a number"), (.string(""), "string", "a string"),
    (.array([]), "list", "a list"), (.object([:]), "mapping", "a mapping"),
  ])
  func typeNames(value: Value, name: String, description: String) {
    #expect(value.typeName == name)
    #expect(value.typeDescription == description)
  }

  @Test func keysSorted() {
    let a: Value = ["b": 1, "a": ["d": [["z": 1, "y": 2]], "c": 3]]
    let b: Value = ["a": ["c": 3, "d": [["y": 2, "z": 1]]], "b": 1]
    #expect(a != b)  // == respects key order
    #expect(a.keysSorted == b.keysSorted)
    #expect(a.keysSorted.objectValue.map { Array($0.keys) } == ["a", "b"])
    #expect(a.keysSorted[path: ["a", "d"]] == [["y": 2, "z": 1]])
    #expect(Value.array([3, 1, 2]).keysSorted == [3, 1, 2])  // lists keep their order
    #expect(Value.string("x").keysSorted == "x")
  }

  @Test func literals() {
    #expect(("x" as Value) == .string("x"))
    #expect((1 as Value) == .int(1))
    #expect((1.5 as Value) == .double(1.5))
    #expect((true as Value) == .bool(true))
    #expect((nil as Value) == .null)
    #expect(([1, "a"] as Value) == .array([.int(1), .string("a")]))
    // A repeated key in a literal keeps its first place and its last value.
    let repeated = Value(dictionaryLiteral: ("a", 1), ("b", 2), ("a", 3))
    #expect(repeated.objectValue.map { Array($0.keys) } == ["a", "b"])
    #expect(repeated["a"] == 3)
  }
}

@Suite("Object identity")
struct ObjectIdentityTests {
  @Test func readsAManifest() throws {
    let id = try ObjectIdentity(of: ValueTests.manifest)
    #expect(id.group == "apps" && id.version == "v1" && id.kind == "Deployment")
    #expect(id.name == "web" && id.namespace == nil)
    #expect(id.apiVersion == "apps/v1")
    #expect(id.groupKind == "apps/Deployment")
    #expect(id.description == "apps/Deployment web")

    var namespaced = ValueTests.manifest
    namespaced[path: ["metadata", "namespace"]] = "shop"
    #expect(try ObjectIdentity(of: namespaced).description == "apps/Deployment shop/web")

    let core = try ObjectIdentity(
      of: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c", "namespace": ""]])
    #expect(core.group == "" && core.version == "v1" && core.namespace == nil)
    #expect(core.apiVersion == "v1" && core.groupKind == "ConfigMap")
    #expect(core.description == "ConfigMap c")
  }

  @Test func initialiserDropsEmptyNamespace() {
    #expect(
      ObjectIdentity(group: "", version: "v1", kind: "A", namespace: "", name: "x").namespace == nil
    )
    #expect(
      ObjectIdentity(group: "", version: "v1", kind: "A", namespace: "n", name: "x").namespace
        == "n")
  }

  /// A manifest with the given fields; `nil` leaves a field out.
  static func object(_ apiVersion: Value?, _ kind: Value?, name: Value?, metadata: Value? = nil)
    -> Value
  {
    var v = Value.emptyObject
    v["apiVersion"] = apiVersion
    v["kind"] = kind
    v["metadata"] = metadata ?? name.map { ["name": $0] }
    return v
  }

  static let errorCases: [(Value, ObjectIdentityError)] = [
    (.array([]), .notAnObject(type: "list")),
    (.string("text"), .notAnObject(type: "string")),
    (.null, .notAnObject(type: "null")),
    (object(nil, "A", name: "x"), .missingField("apiVersion")),
    (object("", "A", name: "x"), .missingField("apiVersion")),
    (object(1, "A", name: "x"), .missingField("apiVersion")),
    (object("v1", nil, name: "x"), .missingField("kind")),
    (object("v1", "", name: "x"), .missingField("kind")),
    (object("v1", "A", name: nil), .missingField("metadata.name")),
    (object("v1", "A", name: nil, metadata: "x"), .missingField("metadata.name")),
    (object("v1", "A", name: ""), .missingField("metadata.name")),
    (object("v1", "A", name: 5), .missingField("metadata.name")),
    (object("a/b/c", "A", name: "x"), .invalidAPIVersion("a/b/c")),
    (object("/v1", "A", name: "x"), .invalidAPIVersion("/v1")),
    (object("apps/", "A", name: "x"), .invalidAPIVersion("apps/")),
  ]

  @Test(arguments: errorCases)
  func errors(value: Value, expected: ObjectIdentityError) {
    #expect(throws: expected) { try ObjectIdentity(of: value) }
  }

  @Test func errorDescriptions() {
    #expect(
      ObjectIdentityError.notAnObject(type: "list").description
        == "expected a Kubernetes object (a mapping), found a list")
    #expect(ObjectIdentityError.missingField("kind").description == "object has no kind")
    #expect(
      ObjectIdentityError.invalidAPIVersion("a/b/c").description == "invalid apiVersion \"a/b/c\"")
  }

  @Test func ordering() {
    let ids = [
      ObjectIdentity(group: "apps", version: "v1", kind: "Deployment", namespace: "b", name: "a"),
      ObjectIdentity(group: "", version: "v1", kind: "Service", name: "z"),
      ObjectIdentity(group: "apps", version: "v1", kind: "Deployment", namespace: "a", name: "z"),
      ObjectIdentity(group: "", version: "v1", kind: "ConfigMap", name: "b"),
      ObjectIdentity(group: "apps", version: "v1", kind: "Deployment", name: "z"),
      ObjectIdentity(group: "", version: "v2", kind: "ConfigMap", name: "b"),
    ]
    #expect(
      ids.sorted().map(\.description) == [
        "ConfigMap b", "ConfigMap b", "Service z", "apps/Deployment z", "apps/Deployment a/z",
        "apps/Deployment b/a",
      ])
    #expect(ids.sorted()[0].version == "v1")  // version breaks the last tie
  }
}

@Suite("File paths and in-memory trees")
struct FileTreeTests {
  @Test(arguments: [
    ("", ""), (".", ""), ("a/b", "a/b"), ("/a//b/./c/", "a/b/c"), ("a/../b", "b"), ("a/..", ""),
    ("..", ".."), ("../a", "../a"), ("a/../../b", "../b"), ("../..", "../.."),
    ("../a/../..", "../.."), ("./a/./", "a"), ("a/b/../../..", ".."), ("..x/y", "..x/y"),
  ])
  func normalize(_ path: String, _ expected: String) {
    #expect(FilePath.normalize(path) == expected)
  }

  @Test(arguments: [
    ("a/b", "c.yaml", "a/b/c.yaml"), ("a/b", "../c", "a/c"), ("", "x", "x"), ("a", "/x/y", "x/y"),
    ("a", "../../x", "../x"), ("a/b", ".", "a/b"), ("a", "", "a"),
  ])
  func join(_ base: String, _ relative: String, _ expected: String) {
    #expect(FilePath.join(base, relative) == expected)
  }

  @Test(arguments: [
    ("a/b", "a/c/d", "../c/d"), ("", "x/y", "x/y"), ("a", "a", "."), ("a/b", "a", ".."),
    ("a/b", "a/b/c", "c"), ("x/y", "z", "../../z"), ("a/./b/", "a/b/c/../d", "d"),
  ])
  func relative(_ from: String, _ to: String, _ expected: String) {
    #expect(FilePath.relative(from: from, to: to) == expected)
    #expect(FilePath.join(from, FilePath.relative(from: from, to: to)) == FilePath.normalize(to))
  }

  @Test(arguments: [
    ("..", true), ("../x", true), ("a/../../x", true), ("./..", true), ("a/..", false),
    ("..x", false), ("a/..b", false), ("", false), ("/../x", true),
  ])
  func escapesRoot(_ path: String, _ escapes: Bool) {
    #expect(FilePath.escapesRoot(path) == escapes)
  }

  @Test func directoryAndLastComponent() {
    #expect(FilePath.directory(of: "a/b/c.yaml") == "a/b")
    #expect(FilePath.directory(of: "c.yaml") == "")
    #expect(FilePath.lastComponent(of: "a/b/c.yaml") == "c.yaml")
    #expect(FilePath.lastComponent(of: "./a/b/../c/") == "c")
  }

  @Test func entries() throws {
    let tree = InMemoryFileTree(texts: [
      "kustomization.yaml": "resources: []", "/base/deploy.yaml": "a", "base/./svc.yaml": "b",
      "base/nested/deep/x.yaml": "c", "ab/z": "d", "overlays/prod/kustomization.yaml": "e",
    ])
    #expect(
      try tree.entries(of: "") == [
        .init(name: "ab", kind: .directory), .init(name: "base", kind: .directory),
        .init(name: "kustomization.yaml", kind: .file), .init(name: "overlays", kind: .directory),
      ])
    #expect(
      try tree.entries(of: "base/") == [
        .init(name: "deploy.yaml", kind: .file), .init(name: "nested", kind: .directory),
        .init(name: "svc.yaml", kind: .file),
      ])
    #expect(
      try tree.entries(of: "./overlays/../base/nested") == [.init(name: "deep", kind: .directory)])
    #expect(try tree.entries(of: "a") == nil)  // "ab/z" is not inside "a"
    #expect(try tree.entries(of: "missing") == nil)
    #expect(try tree.entries(of: "kustomization.yaml") == nil)
    #expect(try InMemoryFileTree().entries(of: "") == [])

    #expect(try tree.isDirectory("base") && !tree.isDirectory("base/svc.yaml"))
    #expect(try tree.isFile("base/svc.yaml") && !tree.isFile("base"))
    #expect(try tree.text(of: "/base//svc.yaml") == "b")
    #expect(try tree.text(of: "nope") == nil)
  }

  @Test func writesAndRejectsBinaryText() throws {
    var tree = InMemoryFileTree()
    tree.write("./a/b.txt", text: "hi")
    tree.write("a/bin", Data([0xFF, 0xFE]))
    #expect(tree.files.keys.sorted() == ["a/b.txt", "a/bin"])
    #expect(try tree.text(of: "a/b.txt") == "hi")
    #expect(throws: FileTreeError.notUTF8(path: "a/bin")) { try tree.text(of: "a/bin") }
    #expect(FileTreeError.notUTF8(path: "p").description == "p: file is not valid UTF-8 text")
    #expect(
      FileTreeError.escapesRoot(path: "../x").description == "../x: path leaves the repository root"
    )
  }
}
