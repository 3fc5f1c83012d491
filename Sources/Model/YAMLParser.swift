internal import CYAML
internal import Foundation
internal import OrderedCollections

/// One document of a YAML stream, with the line where each value starts.
public struct YAMLDocument: Sendable, Hashable {
  public var value: Value
  /// The 1-based line where the document's content starts.
  public var line: Int
  /// Lines by JSON pointer ("/spec/replicas"); a mapping entry is found at its key's line.
  var lines: [String: Int]
  /// The written text of scalars that did not become that same string (`0777`, `true`, `~`).
  var texts: [String: String]

  public init(value: Value, line: Int = 1) {
    self.init(value: value, line: line, lines: [:], texts: [:])
  }

  init(value: Value, line: Int, lines: [String: Int], texts: [String: String]) {
    self.value = value
    self.line = line
    self.lines = lines
    self.texts = texts
  }

  public func line(at pointer: String) -> Int? { lines[pointer] }

  /// The scalar at `path` as written in the file, where its value is not that text.
  public func sourceText(at path: [String]) -> String? {
    texts[path.map { "/" + Self.pointerToken($0) }.joined()]
  }

  /// A mapping key as one token of a JSON pointer (`/` is `~1`, `~` is `~0`).
  public static func pointerToken(_ key: String) -> String { EventParser.escapePointer(key) }
}

public enum YAML {
  /// Parses every document of a stream; empty and `null` documents are dropped, as
  /// kubectl and kustomize drop them.
  public static func documents(
    from text: String, file: String? = nil, rules: ScalarRules, limits: YAMLLimits = .default
  ) throws(YAMLError) -> [YAMLDocument] {
    var parser = EventParser(text: text, file: file, rules: rules, limits: limits)
    return try parser.parseStream().filter { !$0.value.isNull }
  }

  /// Parses a stream that must hold at most one document; an empty stream is `null`.
  public static func value(
    from text: String, file: String? = nil, rules: ScalarRules, limits: YAMLLimits = .default
  ) throws(YAMLError) -> Value {
    var parser = EventParser(text: text, file: file, rules: rules, limits: limits)
    let documents = try parser.parseStream()
    if documents.count > 1 {
      throw YAMLError(
        file: file, line: documents[1].line, column: 1,
        message: "expected a single YAML document, found \(documents.count)")
    }
    return documents.first?.value ?? .null
  }
}

/// Builds values from libyaml's event stream: libyaml hands over each scalar's raw text, style,
/// tag and position, which is what the scalar rules and line-precise errors need.
private struct EventParser {
  let text: String
  let file: String?
  let rules: ScalarRules
  let limits: YAMLLimits
  var anchors: [String: Value] = [:]
  var lines: [String: Int] = [:]
  /// Values built so far in the stream, aliases counted at their full size.
  var valueCount = 0
  /// The part of `valueCount` that aliases repeat.
  var aliasedCount = 0
  /// How many values each anchor stands for, so an alias costs what it repeats.
  var anchorSizes: [String: Int] = [:]
  /// `valueCount` when each open collection started, to size it when it closes.
  var collectionStarts: [Int] = []
  var texts: [String: String] = [:]

  init(text: String, file: String?, rules: ScalarRules, limits: YAMLLimits) {
    self.text = text
    self.file = file
    self.rules = rules
    self.limits = limits
  }

  private enum Frame {
    case sequence(items: [Value], anchor: String?, pointer: String)
    case mapping(
      entries: OrderedDictionary<String, Value>, keyLines: [String: Int], pendingKey: String?,
      pendingKeyMark: KeyMark, anchor: String?, pointer: String, merged: Set<String>)
  }

  /// Where the pending key stands (errors about it point there, not at its value), and whether
  /// it is a merge key: only a plain, untagged `<<` is; a quoted one is an ordinary key.
  private struct KeyMark {
    var line = 0
    var column = 0
    var isMerge = false
  }

  mutating func parseStream() throws(YAMLError) -> [YAMLDocument] {
    var parser = yaml_parser_t()
    guard yaml_parser_initialize(&parser) != 0 else {
      throw YAMLError(file: file, line: 0, column: 0, message: "cannot initialise libyaml")
    }
    defer { yaml_parser_delete(&parser) }
    let bytes = Array(text.utf8)
    return try bytes.withUnsafeBufferPointer { buffer throws(YAMLError) -> [YAMLDocument] in
      yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
      yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
      return try run(&parser)
    }
  }

  private mutating func run(_ parser: inout yaml_parser_t) throws(YAMLError) -> [YAMLDocument] {
    var documents: [YAMLDocument] = []
    var stack: [Frame] = []
    var documentLine = 1
    var documentCount = 0
    var root: Value?
    while true {
      var event = yaml_event_t()
      guard yaml_parser_parse(&parser, &event) != 0 else { throw parserError(parser) }
      defer { yaml_event_delete(&event) }
      let line = Int(event.start_mark.line) + 1
      let column = Int(event.start_mark.column) + 1
      switch event.type {
      case YAML_STREAM_END_EVENT:
        return documents
      case YAML_DOCUMENT_START_EVENT:
        documentCount += 1
        guard documentCount <= limits.maxDocuments else {
          throw YAMLError(
            file: file, line: line, column: column,
            message: "more than \(limits.maxDocuments) YAML documents in one file")
        }
        anchors = [:]
        anchorSizes = [:]
        lines = [:]
        texts = [:]
        root = nil
        documentLine = line
      case YAML_DOCUMENT_END_EVENT:
        documents.append(
          YAMLDocument(value: root ?? .null, line: documentLine, lines: lines, texts: texts))
      case YAML_ALIAS_EVENT:
        let name = String(cString: event.data.alias.anchor)
        guard let value = anchors[name] else {
          throw YAMLError(file: file, line: line, column: column, message: "unknown alias *\(name)")
        }
        try countAlias(of: anchorSizes[name] ?? 1, line: line, column: column)
        try add(value, line: line, column: column, to: &stack, root: &root)
      case YAML_SCALAR_EVENT:
        let scalar = event.data.scalar
        let raw = String(
          decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
        let tag = scalar.tag.map { String(cString: $0) }
        let value = try resolve(
          raw, tag: tag, plain: scalar.style == YAML_PLAIN_SCALAR_STYLE, line: line, column: column)
        try count(1, line: line, column: column)
        if let anchor = scalar.anchor {
          anchors[String(cString: anchor)] = value
          anchorSizes[String(cString: anchor)] = 1
        }
        if value != .string(raw), let pointer = Self.valuePointer(stack) { texts[pointer] = raw }
        let plainMergeKey = tag == nil && scalar.style == YAML_PLAIN_SCALAR_STYLE && raw == "<<"
        try add(
          value, line: line, column: column, to: &stack, root: &root, mergeKey: plainMergeKey)
      case YAML_SEQUENCE_START_EVENT:
        try open(depth: stack.count + 1, line: line, column: column)
        let pointer = try childPointer(stack, line: line, column: column)
        lines[pointer] = lines[pointer] ?? line
        stack.append(
          .sequence(
            items: [], anchor: event.data.sequence_start.anchor.map { String(cString: $0) },
            pointer: pointer))
      case YAML_MAPPING_START_EVENT:
        try open(depth: stack.count + 1, line: line, column: column)
        let pointer = try childPointer(stack, line: line, column: column)
        lines[pointer] = lines[pointer] ?? line
        stack.append(
          .mapping(
            entries: [:], keyLines: [:], pendingKey: nil, pendingKeyMark: KeyMark(),
            anchor: event.data.mapping_start.anchor.map { String(cString: $0) },
            pointer: pointer, merged: []))
      case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
        let value: Value
        let anchor: String?
        switch stack.removeLast() {
        case .sequence(let items, let a, _):
          value = .array(items)
          anchor = a
        case .mapping(let entries, _, _, _, let a, _, _):
          value = .object(entries)
          anchor = a
        }
        let size = valueCount - collectionStarts.removeLast()
        if let anchor {
          anchors[anchor] = value
          anchorSizes[anchor] = size
        }
        try add(value, line: line, column: column, to: &stack, root: &root, closing: true)
      default:
        break
      }
    }
  }

  /// A mapping or list starts: refused beyond the nesting limit, before libyaml reads deeper.
  private mutating func open(depth: Int, line: Int, column: Int) throws(YAMLError) {
    guard depth <= limits.maxDepth else {
      throw YAMLError(
        file: file, line: line, column: column,
        message: "mappings and lists nested more than \(limits.maxDepth) levels deep")
    }
    collectionStarts.append(valueCount)
    try count(1, line: line, column: column)
  }

  /// Adds `values` to the document's size; aliases make it grow fast, so it is checked each time.
  private mutating func count(_ values: Int, line: Int, column: Int) throws(YAMLError) {
    valueCount += values
    guard valueCount <= limits.maxValues else {
      throw YAMLError(
        file: file, line: line, column: column,
        message:
          "the file holds more than \(limits.maxValues) values (aliases counted at the size of what they repeat)"
      )
    }
  }

  /// An alias repeats `values`; refused once aliases repeat more than the stream writes out
  /// (plus the allowance), which stops a "billion laughs" within a few lines.
  private mutating func countAlias(of values: Int, line: Int, column: Int) throws(YAMLError) {
    aliasedCount += values
    guard aliasedCount <= valueCount - aliasedCount + values + limits.aliasAllowance else {
      throw YAMLError(
        file: file, line: line, column: column,
        message:
          "aliases repeat more than \(limits.aliasAllowance) values beyond what the file writes out (a \"billion laughs\"?)"
      )
    }
    try count(values, line: line, column: column)
  }

  /// The JSON pointer of the value about to start, from the enclosing collection.
  private func childPointer(_ stack: [Frame], line: Int, column: Int) throws(YAMLError) -> String {
    switch stack.last {
    case nil: return ""
    case .sequence(let items, _, let pointer): return pointer + "/\(items.count)"
    case .mapping(_, _, let key, _, _, let pointer, _):
      guard let key else {
        throw YAMLError(
          file: file, line: line, column: column,
          message: "a mapping key must be a scalar, not a mapping or a list")
      }
      return pointer + "/" + Self.escapePointer(key)
    }
  }

  /// The JSON pointer of a scalar about to be added as a value (nil for a mapping key).
  private static func valuePointer(_ stack: [Frame]) -> String? {
    switch stack.last {
    case nil: ""
    case .sequence(let items, _, let pointer): pointer + "/\(items.count)"
    case .mapping(_, _, let key?, _, _, let pointer, _): pointer + "/" + escapePointer(key)
    case .mapping: nil
    }
  }

  static func escapePointer(_ key: String) -> String {
    key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
  }

  private mutating func add(
    _ value: Value, line: Int, column: Int, to stack: inout [Frame], root: inout Value?,
    closing: Bool = false, mergeKey: Bool = false
  ) throws(YAMLError) {
    guard let top = stack.popLast() else {
      root = value
      if !closing { lines[""] = line }
      return
    }
    switch top {
    case .sequence(var items, let anchor, let pointer):
      if !closing { lines[pointer + "/\(items.count)"] = line }
      items.append(value)
      stack.append(.sequence(items: items, anchor: anchor, pointer: pointer))
    case .mapping(
      var entries, var keyLines, let pendingKey, let keyMark, let anchor, let pointer, var merged):
      if let key = pendingKey {
        let keyLine = keyMark.line
        if keyMark.isMerge {
          try merge(value, into: &entries, merged: &merged, line: keyLine, column: keyMark.column)
        } else {
          if entries[key] != nil && !merged.contains(key) {
            throw YAMLError(
              file: file, line: keyLine, column: keyMark.column,
              message: "mapping key \"\(key)\" already defined at line \(keyLines[key] ?? 0)")
          }
          merged.remove(key)
          entries[key] = value
          keyLines[key] = keyLine
          lines[pointer + "/" + Self.escapePointer(key)] = keyLine
        }
        stack.append(
          .mapping(
            entries: entries, keyLines: keyLines, pendingKey: nil, pendingKeyMark: KeyMark(),
            anchor: anchor, pointer: pointer, merged: merged))
      } else {
        guard let key = Self.keyString(value) else {
          throw YAMLError(
            file: file, line: line, column: column,
            message: "a mapping key must be a scalar, not \(value.typeDescription)")
        }
        stack.append(
          .mapping(
            entries: entries, keyLines: keyLines, pendingKey: key,
            pendingKeyMark: KeyMark(line: line, column: column, isMerge: mergeKey),
            anchor: anchor, pointer: pointer, merged: merged))
      }
    }
  }

  /// `<<: *anchor` merge keys (YAML 1.1), which both Go decoders honour; the earlier of a list
  /// of sources wins, and explicit keys written after the merge win.
  private func merge(
    _ value: Value, into entries: inout OrderedDictionary<String, Value>, merged: inout Set<String>,
    line: Int, column: Int
  ) throws(YAMLError) {
    let sources: [Value] = value.arrayValue ?? [value]
    var combined = OrderedDictionary<String, Value>()
    for source in sources {
      guard case .object(let object) = source else {
        throw YAMLError(
          file: file, line: line, column: column,
          message: "merge key << needs a mapping or a list of mappings")
      }
      for (key, item) in object where combined[key] == nil { combined[key] = item }
    }
    // go-yaml v2 (kubectl) assigns merged keys over those written before the `<<`;
    // go-yaml v3 (kustomize) lets every explicit key win. Both checked with kubectl v1.32.
    for (key, item) in combined where entries[key] == nil || rules == .kubectl {
      entries[key] = item
      merged.insert(key)
    }
  }

  /// Keys become strings the way sigs.k8s.io/yaml turns them into JSON object keys.
  static func keyString(_ value: Value) -> String? {
    switch value {
    case .string(let s): s
    case .bool(let b): b ? "true" : "false"
    case .int(let i): String(i)
    case .uint(let u): String(u)
    case .double(let d): GoFloat.shortestG(d)
    case .null: "null"
    case .array, .object: nil
    }
  }

  private func resolve(
    _ raw: String, tag: String?, plain: Bool, line: Int, column: Int
  ) throws(YAMLError) -> Value {
    guard let tag else { return plain ? rules.resolvePlain(raw) : .string(raw) }
    // The non-specific tag `! 12`: go-yaml v2 (kubectl) reads it as text, kustomize resolves a
    // plain scalar as if it had no tag (checked with kubectl v1.32).
    if tag == "!" { return plain && rules == .kustomize ? rules.resolvePlain(raw) : .string(raw) }
    let fail = { () -> YAMLError in
      YAMLError(file: file, line: line, column: column, message: "cannot read \"\(raw)\" as \(tag)")
    }
    // Both Go decoders reject a tag the text does not fit (`!!null x`, `!!timestamp abc`,
    // `!!bool yes` under go-yaml v3), and decode `!!binary` base64 (ignoring line breaks).
    switch tag {
    case "tag:yaml.org,2002:str":
      return .string(raw)
    case "tag:yaml.org,2002:binary":
      let base64 = raw.filter { $0 != "\n" && $0 != "\r" && $0 != "\r\n" }
      guard let data = Data(base64Encoded: base64) else { throw fail() }
      return .string(String(decoding: data, as: UTF8.self))
    case "tag:yaml.org,2002:timestamp":
      guard let timestamp = GoTimestamp.rfc3339(fromYAML: raw) else { throw fail() }
      return .string(rules == .kustomize ? timestamp : raw)
    case "tag:yaml.org,2002:null":
      guard ScalarRules.nullWords.contains(raw) else { throw fail() }
      return .null
    case "tag:yaml.org,2002:bool":
      guard let b = rules.resolveBool(raw) else { throw fail() }
      return .bool(b)
    case "tag:yaml.org,2002:int":
      guard let n = GoInteger.parse(raw.replacingOccurrences(of: "_", with: "")) else {
        throw fail()
      }
      return n
    case "tag:yaml.org,2002:float":
      // Go converts a signed integer to a float (then JSON prints it), but fails on an
      // unsigned one.
      switch ScalarRules.resolveNumber(raw) {
      case .int(let i)?: return ScalarRules.canonicalFloat(Double(i))
      case .uint?, nil: throw fail()
      case let n?: return n
      }
    default:
      throw YAMLError(file: file, line: line, column: column, message: "unsupported tag \(tag)")
    }
  }

  private func parserError(_ parser: yaml_parser_t) -> YAMLError {
    let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
    let context = parser.context.map { String(cString: $0) }
    let mark = parser.problem_mark
    let message = context.map { "\($0): \(problem)" } ?? problem
    return YAMLError(
      file: file, line: Int(mark.line) + 1, column: Int(mark.column) + 1, message: message)
  }
}
