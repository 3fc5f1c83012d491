import Foundation
public import Model

/// How rollout state is written as JSON: sorted keys, dates in ISO 8601 with fractions of a
/// second; and the way between Codable values and the `Value`s KubeClient sends.
public enum StateJSON {
  public static func text(_ value: some Encodable, pretty: Bool = false) throws -> String {
    String(decoding: try (pretty ? prettyEncoder : encoder).encode(value), as: UTF8.self)
  }

  public static func value(_ value: some Encodable) throws -> Value {
    try valueEncoder.encode(value)
  }

  private static let valueEncoder = ValueEncoder { .string(text(of: $0)) }

  public static func decode<T: Decodable>(_ type: T.Type, from value: Value) throws -> T {
    try decoder.decode(type, from: Data(JSON.encode(value).utf8))
  }

  public static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
    try decoder.decode(type, from: Data(text.utf8))
  }

  private static let encoder = makeEncoder([.sortedKeys, .withoutEscapingSlashes])
  private static let prettyEncoder = makeEncoder([
    .sortedKeys, .withoutEscapingSlashes, .prettyPrinted,
  ])

  private static func makeEncoder(_ formatting: JSONEncoder.OutputFormatting) -> JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = formatting
    encoder.dateEncodingStrategy = .custom { date, encoder in
      var container = encoder.singleValueContainer()
      try container.encode(text(of: date))
    }
    return encoder
  }

  /// `2026-12-02T12:57:39.178Z`: milliseconds, rounded, so a date read back and written again
  /// is written the same.
  static func text(of date: Date) -> String {
    let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
    let (seconds, fraction) = milliseconds.quotientAndRemainder(dividingBy: 1000)
    let (wholeSeconds, positiveFraction) =
      fraction < 0 ? (seconds - 1, fraction + 1000) : (seconds, fraction)
    let whole = Date(timeIntervalSince1970: TimeInterval(wholeSeconds)).formatted(
      Date.ISO8601FormatStyle())
    // "2026-12-02T12:57:39Z" → "2026-12-02T12:57:39.178Z"
    return String(whole.dropLast()) + "." + String(format: "%03d", positiveFraction) + "Z"
  }

  private static let decoder: JSONDecoder = {
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .custom { decoder in
      let text = try decoder.singleValueContainer().decode(String.self)
      // Kubernetes writes whole seconds (lastTransitionTime); Wavesync writes milliseconds.
      let date: Date
      do {
        date = try Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)
      } catch {
        date = try Date.ISO8601FormatStyle().parse(text)
      }
      return Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000)
    }
    return decoder
  }()
}
