import Model
import Render
import Testing

/// JSON patches (RFC 6902). The expected objects in `expectKustomizeResult` calls are what
/// `kubectl kustomize` (kustomize v5.5) printed for the same target and operations, pasted
/// verbatim; the error cases fail in kubectl kustomize as well.
@Suite("JSON patch")
struct JSONPatchTests {
  static let target = """
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: cm
      labels:
        app.kubernetes.io/name: web
        c~d: tilde
    data:
      k: v
    list: [a, b, c]
    num: 3
    """

  // MARK: - Same result as kubectl kustomize

  /// `add` creates or overwrites a member, inserts before an index, and appends at `-` or at the
  /// length.
  @Test func addSetsMembersAndInsertsElements() throws {
    try expectKustomizeResult(
      operations: """
        - {op: add, path: /data/new, value: {n1: 1}}
        - {op: add, path: /data/k, value: overwritten}
        - {op: add, path: /list/1, value: inserted}
        - {op: add, path: /list/-, value: last}
        - {op: add, path: /list/5, value: atLength}
        """,
      kustomized: """
        apiVersion: v1
        data:
          k: overwritten
          new:
            n1: 1
        kind: ConfigMap
        list:
        - a
        - inserted
        - b
        - c
        - last
        - atLength
        metadata:
          labels:
            app.kubernetes.io/name: web
            c~d: tilde
          name: cm
        num: 3
        """)
  }

  /// `remove` takes out a member or an element, shifting the rest.
  @Test func removeDeletesMembersAndElements() throws {
    try expectKustomizeResult(
      operations: """
        - {op: remove, path: /data/k}
        - {op: remove, path: /list/0}
        """,
      kustomized: """
        apiVersion: v1
        data: {}
        kind: ConfigMap
        list:
        - b
        - c
        metadata:
          labels:
            app.kubernetes.io/name: web
            c~d: tilde
          name: cm
        num: 3
        """)
  }

  /// `replace` overwrites; like kustomize, a missing member of an existing mapping is added.
  @Test func replaceOverwritesAndAddsMissingMembers() throws {
    try expectKustomizeResult(
      operations: """
        - {op: replace, path: /num, value: 4}
        - {op: replace, path: /list/2, value: C}
        - {op: replace, path: /spec, value: {replicas: 2}}
        """,
      kustomized: """
        apiVersion: v1
        data:
          k: v
        kind: ConfigMap
        list:
        - a
        - b
        - C
        metadata:
          labels:
            app.kubernetes.io/name: web
            c~d: tilde
          name: cm
        num: 4
        spec:
          replicas: 2
        """)
  }

  /// `copy` duplicates a value (a later change to one leaves the other); `move` removes, then adds.
  @Test func moveAndCopy() throws {
    try expectKustomizeResult(
      operations: """
        - {op: copy, from: /data, path: /dataCopy}
        - {op: add, path: /dataCopy/extra, value: x}
        - {op: copy, from: /list/0, path: /list/-}
        - {op: move, from: /list/0, path: /list/1}
        - {op: move, from: /num, path: /data/num}
        - {op: move, from: /data/k, path: /data/k}
        """,
      kustomized: """
        apiVersion: v1
        data:
          k: v
          num: 3
        dataCopy:
          extra: x
          k: v
        kind: ConfigMap
        list:
        - b
        - a
        - c
        - a
        metadata:
          labels:
            app.kubernetes.io/name: web
            c~d: tilde
          name: cm
        """)
  }

  /// `~1` stands for `/` and `~0` for `~`; an empty token names the empty key.
  @Test func escapedPointerTokens() throws {
    try expectKustomizeResult(
      operations: """
        - {op: replace, path: /metadata/labels/app.kubernetes.io~1name, value: api}
        - {op: replace, path: /metadata/labels/c~0d, value: changed}
        - {op: add, path: /metadata/annotations, value: {}}
        - {op: add, path: /metadata/annotations/example.com~1a~0b, value: "1"}
        - {op: add, path: /data/, value: emptyKey}
        """,
      kustomized: """
        apiVersion: v1
        data:
          "": emptyKey
          k: v
        kind: ConfigMap
        list:
        - a
        - b
        - c
        metadata:
          annotations:
            example.com/a~b: "1"
          labels:
            app.kubernetes.io/name: api
            c~d: changed
          name: cm
        num: 3
        """)
  }

  /// As in kustomize, `-1` is the last element; for `add`, `-1` appends and `-(n+1)` prepends.
  @Test func negativeIndicesCountFromTheEnd() throws {
    try expectKustomizeResult(
      operations: """
        - {op: replace, path: /list/-1, value: lastReplaced}
        - {op: add, path: /list/-4, value: first}
        - {op: add, path: /list/-2, value: beforeLast}
        - {op: remove, path: /list/-1}
        """,
      kustomized: """
        apiVersion: v1
        data:
          k: v
        kind: ConfigMap
        list:
        - first
        - a
        - b
        - beforeLast
        metadata:
          labels:
            app.kubernetes.io/name: web
            c~d: tilde
          name: cm
        num: 3
        """)
  }

  /// `test` compares as JSON: key order and `3` against `3.0` do not matter; a missing member
  /// equals null.
  @Test func testPassesOnEqualValues() throws {
    try expectKustomizeResult(
      operations: """
        - {op: test, path: /metadata/labels, value: {c~d: tilde, app.kubernetes.io/name: web}}
        - {op: test, path: /num, value: 3.0}
        - {op: test, path: /list, value: [a, b, c]}
        - {op: test, path: /missing, value: null}
        - {op: replace, path: /num, value: 5}
        """,
      kustomized: """
        apiVersion: v1
        data:
          k: v
        kind: ConfigMap
        list:
        - a
        - b
        - c
        metadata:
          labels:
            app.kubernetes.io/name: web
            c~d: tilde
          name: cm
        num: 5
        """)
  }

  /// Like kustomize, an operation without `value` uses null.
  @Test func missingValueIsNull() throws {
    try expectKustomizeResult(
      operations: """
        - {op: add, path: /data/x}
        """,
      kustomized: """
        apiVersion: v1
        data:
          k: v
          x: null
        kind: ConfigMap
        list:
        - a
        - b
        - c
        metadata:
          labels:
            app.kubernetes.io/name: web
            c~d: tilde
          name: cm
        num: 3
        """)
  }

  /// Like kustomize, `copy` from a missing member of an existing mapping copies null.
  @Test func copyOfAMissingMemberIsNull() throws {
    try expectKustomizeResult(
      operations: """
        - {op: copy, from: /data/absent, path: /data/copied}
        """,
      kustomized: """
        apiVersion: v1
        data:
          copied: null
          k: v
        kind: ConfigMap
        list:
        - a
        - b
        - c
        metadata:
          labels:
            app.kubernetes.io/name: web
            c~d: tilde
          name: cm
        num: 3
        """)
  }

  @Test func emptyPatchChangesNothing() throws {
    let target = try parse(Self.target)
    #expect(try JSONPatch.apply([], to: target) == target)
  }

  // MARK: - Errors

  @Test(arguments: [
    (
      "- {op: add, path: /list/4, value: x}",
      "op 0 (add /list/4): index 4 is out of bounds for a list of 3"
    ),
    (
      "- {op: add, path: /list/-5, value: x}",
      "op 0 (add /list/-5): index -5 is out of bounds for a list of 3"
    ),
    (
      "- {op: replace, path: /list/3, value: x}",
      "op 0 (replace /list/3): index 3 is out of bounds for a list of 3"
    ),
    (
      "- {op: replace, path: /list/-4, value: x}",
      "op 0 (replace /list/-4): index -4 is out of bounds for a list of 3"
    ),
    (
      "- {op: remove, path: /list/3}",
      "op 0 (remove /list/3): index 3 is out of bounds for a list of 3"
    ),
    (
      "- {op: replace, path: /list/-, value: x}",
      #"op 0 (replace /list/-): "-" is not an array index"#
    ),
    ("- {op: remove, path: /list/-}", #"op 0 (remove /list/-): "-" is not an array index"#),
    ("- {op: add, path: /list/x, value: 1}", #"op 0 (add /list/x): "x" is not an array index"#),
    ("- {op: remove, path: /nothere}", "op 0 (remove /nothere): path does not exist"),
    ("- {op: add, path: /a/b/c, value: 1}", "op 0 (add /a/b/c): path does not exist"),
    ("- {op: replace, path: /a/b, value: 1}", "op 0 (replace /a/b): path does not exist"),
    (
      "- {op: add, path: /num/x, value: 1}",
      "op 0 (add /num/x): path does not exist (its parent is an integer)"
    ),
    (
      "- {op: add, path: /list/9/x, value: 1}",
      "op 0 (add /list/9/x): path does not exist (index 9 is out of bounds for a list of 3)"
    ),
    (
      "- {op: add, path: '', value: {}}",
      "op 0 (add ): the whole document cannot be the target"
    ),
    ("- {op: remove, path: ''}", "op 0 (remove ): the whole document cannot be the target"),
    (
      "- {op: move, from: /missing, path: /x}",
      "op 0 (move /x): path does not exist"
    ),
    (
      "- {op: copy, from: /missing/deeper, path: /x}",
      #"op 0 (copy /x): "from" path does not exist"#
    ),
    (
      "- {op: copy, from: /list/7, path: /x}",
      #"op 0 (copy /x): "from" path does not exist"#
    ),
    (
      "- {op: move, from: /data, path: /data/inner}",
      "op 0 (move /data/inner): cannot move a value into itself"
    ),
    ("- {op: test, path: /num, value: 4}", "op 0 (test /num): test failed: the value differs"),
    (
      #"- {op: test, path: /num, value: "3"}"#,
      "op 0 (test /num): test failed: the value differs"
    ),
    (
      "- {op: test, path: /list, value: [a, b]}",
      "op 0 (test /list): test failed: the value differs"
    ),
    (
      "- {op: test, path: /missing, value: 1}",
      "op 0 (test /missing): test failed: path does not exist"
    ),
    (
      "- {op: test, path: /missing/deeper, value: null}",
      "op 0 (test /missing/deeper): test failed: path does not exist"
    ),
    ("- {op: bogus, path: /data}", #"op 0 (bogus /data): "bogus" is not an operation"#),
    (#"- {path: /data}"#, #"op 0 (/data): the operation has no "op""#),
    ("- {op: add, value: 1}", #"op 0 (add): the operation has no "path" string"#),
    ("- {op: copy, path: /x}", #"op 0 (copy /x): the operation has no "from" string"#),
    ("- {op: add, path: data, value: 1}", #"op 0 (add data): a JSON pointer starts with "/""#),
    (
      "- {op: add, path: /data~2, value: 1}",
      #"op 0 (add /data~2): "~" must be followed by 0 or 1 in a JSON pointer"#
    ),
    (
      "- {op: add, path: /data~, value: 1}", #"op 0 (add /data~): a JSON pointer token ends in "~""#
    ),
    ("- add", "op 0: an operation is a mapping, not a string"),
    (
      "- {op: test, path: /num, value: 3}\n- {op: remove, path: /list/7}",
      "op 1 (remove /list/7): index 7 is out of bounds for a list of 3"
    ),
  ])
  func failingOperation(operations: String, message: String) throws {
    let target = try parse(Self.target)
    let error = #expect(throws: PatchError.self) {
      try JSONPatch.apply(try parse(operations), to: target)
    }
    #expect(error?.description == message)
  }

  @Test func patchMustBeAList() throws {
    #expect(
      throws: PatchError(
        location: "", reason: "a JSON patch is a list of operations, not a mapping")
    ) {
      try JSONPatch.apply(["op": "add"], to: .emptyObject)
    }
  }

  /// The target may be a Secret: a failed test says so without printing either value.
  @Test func failedTestKeepsValuesOutOfTheMessage() throws {
    let secret = try parse(
      """
      apiVersion: v1
      kind: Secret
      metadata:
        name: s
      stringData:
        password: hunter2-actual
      """)
    let operations = try parse("- {op: test, path: /stringData/password, value: hunter2-guess}")
    let error = #expect(throws: PatchError.self) {
      try JSONPatch.apply(operations, to: secret)
    }
    #expect(
      error?.description == "op 0 (test /stringData/password): test failed: the value differs")
    #expect(error?.description.contains("hunter2") == false)
  }

  /// Nothing of a failed patch sticks: the caller's value is unchanged.
  @Test func failedPatchLeavesTheTargetAlone() throws {
    let target = try parse(Self.target)
    var copy = target
    let operations = try parse("- {op: remove, path: /data}\n- {op: remove, path: /data}")
    #expect(throws: PatchError.self) { copy = try JSONPatch.apply(operations, to: copy) }
    #expect(copy == target)
  }

  // MARK: - Helpers

  private func parse(_ yaml: String) throws -> Value {
    try YAML.value(from: yaml, rules: .kustomize)
  }

  /// Applies `operations` to `target` and expects `kustomized`, what `kubectl kustomize`
  /// printed for them. Mapping key order is not compared; list order is.
  private func expectKustomizeResult(
    operations: String, kustomized: String, sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let patched = try JSONPatch.apply(try parse(operations), to: try parse(Self.target))
    #expect(
      PatchComparison.keySorted(patched) == PatchComparison.keySorted(try parse(kustomized)),
      sourceLocation: sourceLocation)
  }
}
