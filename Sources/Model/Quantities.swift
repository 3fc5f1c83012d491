internal import Foundation

/// A link or budget rate in bits per second, written like `20Mbps` (SI units: bps, kbps, Mbps, Gbps).
public struct BitRate: Sendable, Hashable, Comparable, CustomStringConvertible {
  public var bitsPerSecond: Int64

  public init(bitsPerSecond: Int64) { self.bitsPerSecond = bitsPerSecond }

  private static let units: [(String, Double)] = [
    ("Gbps", 1e9), ("Mbps", 1e6), ("kbps", 1e3), ("bps", 1),
  ]

  public init?(parsing text: String) {
    for (unit, factor) in Self.units where text.hasSuffix(unit) {
      guard let number = Double(text.dropLast(unit.count).trimmingCharacters(in: .whitespaces)),
        number > 0, number.isFinite
      else { return nil }
      // At least 1bps (a zero rate would never finish a transfer), and within Int64.
      let bits = (number * factor).rounded()
      guard bits >= 1, bits < Double(Int64.max) else { return nil }
      bitsPerSecond = Int64(bits)
      return
    }
    return nil
  }

  public var bytesPerSecond: Int64 { bitsPerSecond / 8 }

  public var description: String {
    for (unit, factor) in Self.units where Double(bitsPerSecond) >= factor {
      let value = Double(bitsPerSecond) / factor
      return (value == value.rounded() ? String(Int64(value)) : String(format: "%.1f", value))
        + unit
    }
    return "\(bitsPerSecond)bps"
  }

  public static func < (a: Self, b: Self) -> Bool { a.bitsPerSecond < b.bitsPerSecond }
}

/// Go's `time.ParseDuration` syntax without negatives: `90s`, `5m`, `1h30m`, `250ms`.
public enum GoDuration {
  private static let units: [(String, Double)] = [
    ("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600),
  ]

  /// The longest duration Go can hold (2562047h47m16.854775807s, Int64 nanoseconds); a longer
  /// one is an error in Go, and here too, rather than an overflow wherever it is used later.
  public static let maxSeconds = Double(Int64.max) / 1e9
  /// `maxSeconds` as Go prints it.
  public static let maxText = "2562047h47m16.854775807s"

  /// The duration in seconds; nil when the text is not a duration or is longer than `maxSeconds`.
  public static func seconds(_ text: String) -> Double? {
    guard let seconds = unboundedSeconds(text), seconds <= maxSeconds else { return nil }
    return seconds
  }

  /// True for a well-formed duration longer than `maxSeconds`, so errors can say which it is.
  public static func isTooLong(_ text: String) -> Bool {
    guard let seconds = unboundedSeconds(text) else { return false }
    return seconds > maxSeconds
  }

  private static func unboundedSeconds(_ text: String) -> Double? {
    if text == "0" { return 0 }
    var rest = Substring(text)
    var total = 0.0
    guard !rest.isEmpty else { return nil }
    while !rest.isEmpty {
      let number = rest.prefix { $0.isNumber || $0 == "." }
      guard !number.isEmpty, let value = Double(number) else { return nil }
      rest = rest.dropFirst(number.count)
      let unitText = rest.prefix { !$0.isNumber && $0 != "." }
      guard let factor = units.first(where: { $0.0 == unitText })?.1 else { return nil }
      rest = rest.dropFirst(unitText.count)
      total += value * factor
    }
    return total
  }

  public static func format(_ seconds: Double) -> String {
    var remaining = Int(seconds.rounded())
    if remaining == 0 { return "0s" }
    var out = ""
    if remaining >= 3600 {
      out += "\(remaining / 3600)h"
      remaining %= 3600
    }
    if remaining >= 60 {
      out += "\(remaining / 60)m"
      remaining %= 60
    }
    if remaining > 0 { out += "\(remaining)s" }
    return out
  }
}

/// A number of sites, given as a count (`2`) or a share of the wave (`25%`).
public enum SiteCount: Sendable, Hashable, CustomStringConvertible {
  case count(Int)
  case percent(Double)

  public init?(parsing text: String) {
    if text.hasSuffix("%") {
      guard let value = Double(text.dropLast()), value >= 0, value <= 100 else { return nil }
      self = .percent(value)
    } else {
      guard let value = Int(text), value >= 0 else { return nil }
      self = .count(value)
    }
  }

  /// The count for a wave of `total` sites; percentages round up, so 10% of 3 sites is 1 site.
  public func resolved(total: Int) -> Int {
    switch self {
    case .count(let n): n
    case .percent(let p): Int((Double(total) * p / 100).rounded(.up))
    }
  }

  public var description: String {
    switch self {
    case .count(let n): "\(n)"
    case .percent(let p): (p == p.rounded() ? "\(Int(p))" : "\(p)") + "%"
    }
  }
}
