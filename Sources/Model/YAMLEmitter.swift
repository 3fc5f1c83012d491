internal import CYAML

extension YAML {
  /// Writes values as a YAML stream, documents separated by `---`. Strings that either rule set
  /// would read as something else are double-quoted, so the output is unambiguous.
  /// `sortKeys` orders mapping keys as `kubectl kustomize` prints them.
  public static func emit(_ values: [Value], sortKeys: Bool = false) -> String {
    values.map { emitDocument($0, sortKeys: sortKeys) }.joined(separator: "---\n")
  }

  public static func emit(_ value: Value, sortKeys: Bool = false) -> String {
    emitDocument(value, sortKeys: sortKeys)
  }

  private static func emitDocument(_ value: Value, sortKeys: Bool) -> String {
    let output = EmitterOutput()
    var emitter = yaml_emitter_t()
    guard yaml_emitter_initialize(&emitter) != 0 else { return "" }
    defer { yaml_emitter_delete(&emitter) }
    yaml_emitter_set_unicode(&emitter, 1)
    yaml_emitter_set_width(&emitter, 80)
    yaml_emitter_set_indent(&emitter, 2)
    let context = Unmanaged.passUnretained(output).toOpaque()
    yaml_emitter_set_output(
      &emitter,
      { context, buffer, size in
        let output = Unmanaged<EmitterOutput>.fromOpaque(context!).takeUnretainedValue()
        output.bytes.append(contentsOf: UnsafeBufferPointer(start: buffer, count: size))
        return 1
      }, context)
    var writer = EventWriter(emitter: emitter, sortKeys: sortKeys)
    writer.stream(value)
    emitter = writer.emitter
    let text = String(decoding: output.bytes, as: UTF8.self)
    // libyaml closes a document that ends in a `|+` block with an explicit "..." marker;
    // each document here is joined with "---", so the marker only adds noise.
    return text.hasSuffix("\n...\n") ? String(text.dropLast(4)) : text
  }
}

private final class EmitterOutput {
  var bytes: [UInt8] = []
}

private struct EventWriter {
  var emitter: yaml_emitter_t
  let sortKeys: Bool

  mutating func stream(_ value: Value) {
    var event = yaml_event_t()
    yaml_stream_start_event_initialize(&event, YAML_UTF8_ENCODING)
    send(&event)
    yaml_document_start_event_initialize(&event, nil, nil, nil, 1)
    send(&event)
    write(value)
    yaml_document_end_event_initialize(&event, 1)
    send(&event)
    yaml_stream_end_event_initialize(&event)
    send(&event)
  }

  private mutating func send(_ event: inout yaml_event_t) {
    // A failure here means a libyaml invariant broke (our events are always well formed).
    let ok = yaml_emitter_emit(&emitter, &event)
    assert(ok != 0, "libyaml emitter rejected an event")
  }

  private mutating func write(_ value: Value) {
    switch value {
    case .null: scalar("null", style: YAML_PLAIN_SCALAR_STYLE)
    case .bool(let b): scalar(b ? "true" : "false", style: YAML_PLAIN_SCALAR_STYLE)
    case .int(let i): scalar(String(i), style: YAML_PLAIN_SCALAR_STYLE)
    case .uint(let u): scalar(String(u), style: YAML_PLAIN_SCALAR_STYLE)
    case .double(let d): scalar(GoFloat.shortestG(d), style: YAML_PLAIN_SCALAR_STYLE)
    case .string(let s): scalar(s, style: Self.style(for: s))
    case .array(let items):
      var event = yaml_event_t()
      let flow = items.isEmpty ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE
      yaml_sequence_start_event_initialize(&event, nil, nil, 1, flow)
      send(&event)
      for item in items { write(item) }
      yaml_sequence_end_event_initialize(&event)
      send(&event)
    case .object(let entries):
      var event = yaml_event_t()
      let flow = entries.isEmpty ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE
      yaml_mapping_start_event_initialize(&event, nil, nil, 1, flow)
      send(&event)
      let keys = sortKeys ? entries.keys.sorted(by: NaturalKeyOrder.less) : Array(entries.keys)
      for key in keys {
        scalar(key, style: Self.style(for: key))
        write(entries[key]!)
      }
      yaml_mapping_end_event_initialize(&event)
      send(&event)
    }
  }

  private mutating func scalar(_ text: String, style: yaml_scalar_style_t) {
    var event = yaml_event_t()
    var bytes = Array(text.utf8)
    let plainAllowed: Int32 = style == YAML_DOUBLE_QUOTED_SCALAR_STYLE ? 0 : 1
    bytes.withUnsafeMutableBufferPointer { buffer in
      _ = yaml_scalar_event_initialize(
        &event, nil, nil, buffer.baseAddress, Int32(buffer.count), plainAllowed, 1, style)
    }
    send(&event)
  }

  /// Double quotes for strings a reader would take for another type; literal blocks for
  /// multi-line text; otherwise libyaml picks plain or quoted as the characters require.
  static func style(for string: String) -> yaml_scalar_style_t {
    if ScalarRules.kubectl.resolvePlain(string) != .string(string)
      || ScalarRules.kustomize.resolvePlain(string) != .string(string)
      || looksLikeTimestamp(string) || isBase60Number(string)
      // A plain `<<` key is a merge key to every reader (go-yaml quotes it too).
      || string == "<<"
      // libyaml would break the line at these separators inside quotes; escape them instead.
      || string.unicodeScalars.contains(where: { ["\u{2028}", "\u{2029}", "\u{85}"].contains($0) })
    {
      return YAML_DOUBLE_QUOTED_SCALAR_STYLE
    }
    if string.contains("\n") && !string.hasSuffix(" ") && !string.contains(" \n") {
      return YAML_LITERAL_SCALAR_STYLE
    }
    return YAML_ANY_SCALAR_STYLE
  }

  /// YAML 1.1 sexagesimal numbers such as `1:20` or `190:20:30.15`, which older readers take for
  /// numbers (go-yaml v2 quotes them too).
  private static func isBase60Number(_ string: String) -> Bool {
    var rest = Substring(string)
    if let sign = rest.first, sign == "-" || sign == "+" { rest = rest.dropFirst() }
    guard let first = rest.first, first.isASCII, first.isNumber else { return false }
    let head = rest.prefix { ($0.isASCII && $0.isNumber) || $0 == "_" }
    rest = rest.dropFirst(head.count)
    var groups = 0
    while rest.first == ":" {
      rest = rest.dropFirst()
      let digits = rest.prefix { $0.isASCII && $0.isNumber }
      guard (1...2).contains(digits.count), digits.count == 1 || digits.first! <= "5" else {
        return false
      }
      rest = rest.dropFirst(digits.count)
      groups += 1
    }
    guard groups > 0 else { return false }
    if rest.first == "." {
      rest = rest.dropFirst().drop { ($0.isASCII && $0.isNumber) || $0 == "_" }
    }
    return rest.isEmpty
  }

  private static func looksLikeTimestamp(_ string: String) -> Bool {
    GoTimestamp.rfc3339(fromYAML: string) != nil
  }
}
