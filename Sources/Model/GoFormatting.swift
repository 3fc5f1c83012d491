/// Number and time formats of Go's standard library, which Kubernetes tools print with;
/// matching them makes Wavesync's output read like theirs.
public enum GoFloat {
  /// The shortest round-trip digits and decimal exponent of a finite double:
  /// value = 0.d1d2d3... × 10^pointPosition.
  private static func digits(_ value: Double) -> (digits: [Character], point: Int) {
    // Swift's description is the shortest round-trip form, in plain or exponent notation.
    var text = "\(abs(value))"
    var exponent = 0
    if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
      exponent = Int(text[text.index(after: e)...]) ?? 0
      text = String(text[..<e])
    }
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    let integerPart = String(parts[0])
    let fractionPart = parts.count > 1 ? String(parts[1]) : ""
    var all = Array(integerPart + fractionPart)
    var point = integerPart.count + exponent
    while let first = all.first, first == "0", all.count > 1 {
      all.removeFirst()
      point -= 1
    }
    while let last = all.last, last == "0", all.count > 1 { all.removeLast() }
    if all == ["0"] { point = 1 }
    return (all, point)
  }

  /// `strconv.FormatFloat(v, 'g', -1, 64)`: the form yaml.v3 prints floats in.
  public static func shortestG(_ value: Double) -> String {
    if value.isNaN { return ".nan" }
    if value.isInfinite { return value < 0 ? "-.inf" : ".inf" }
    if value == 0 { return value.sign == .minus ? "-0" : "0" }
    let (digits, point) = digits(value)
    let sign = value < 0 ? "-" : ""
    let exponent = point - 1
    // Go uses precision 6 for the plain-or-exponent choice when printing the shortest form.
    if exponent < -4 || exponent >= 6 {
      return sign + exponential(digits, exponent)
    }
    return sign + fixed(digits, point)
  }

  /// `encoding/json`'s float format: plain notation from 1e-6 to 1e21, exponent outside.
  static func json(_ value: Double) -> String {
    if !value.isFinite { return shortestG(value) }
    // Go keeps the sign of negative zero ("-0").
    if value == 0 { return value.sign == .minus ? "-0" : "0" }
    let (digits, point) = digits(value)
    let sign = value < 0 ? "-" : ""
    let magnitude = abs(value)
    if magnitude < 1e-6 || magnitude >= 1e21 {
      // encoding/json does not pad the exponent to two digits: 1e-7, not 1e-07.
      var text = exponential(digits, point - 1)
      if let e = text.lastIndex(of: "e"), text[e...].hasPrefix("e-0") {
        text.remove(at: text.index(e, offsetBy: 2))
      }
      return sign + text
    }
    return sign + fixed(digits, point)
  }

  private static func fixed(_ digits: [Character], _ point: Int) -> String {
    if point <= 0 { return "0." + String(repeating: "0", count: -point) + String(digits) }
    if point >= digits.count {
      return String(digits) + String(repeating: "0", count: point - digits.count)
    }
    return String(digits[..<point]) + "." + String(digits[point...])
  }

  private static func exponential(_ digits: [Character], _ exponent: Int) -> String {
    var mantissa = String(digits[0])
    if digits.count > 1 { mantissa += "." + String(digits[1...]) }
    let magnitude = abs(exponent)
    let padded = magnitude < 10 ? "0\(magnitude)" : "\(magnitude)"
    return mantissa + "e" + (exponent < 0 ? "-" : "+") + padded
  }
}

/// The timestamp forms go-yaml v3 accepts in plain scalars, rewritten as Go's RFC 3339 (nano)
/// output, which is what a kustomize build prints for them.
enum GoTimestamp {
  static func rfc3339(fromYAML text: String) -> String? {
    let chars = Array(text)
    var i = 0
    func number(minDigits: Int, maxDigits: Int) -> Int? {
      var value = 0
      var count = 0
      while i < chars.count, count < maxDigits, let d = chars[i].wholeNumberValue, chars[i].isASCII
      {
        value = value * 10 + d
        i += 1
        count += 1
      }
      return count >= minDigits ? value : nil
    }
    func expect(_ c: Character) -> Bool {
      guard i < chars.count, chars[i] == c else { return false }
      i += 1
      return true
    }
    guard let year = number(minDigits: 4, maxDigits: 4), expect("-"),
      let month = number(minDigits: 1, maxDigits: 2), expect("-"),
      let day = number(minDigits: 1, maxDigits: 2), (1...12).contains(month),
      (1...daysIn(month: month, year: year)).contains(day)
    else { return nil }
    let date = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
    if i == chars.count { return date + "T00:00:00Z" }
    let separator = chars[i]
    guard separator == "T" || separator == "t" || separator == " " else { return nil }
    i += 1
    // A space in a Go time layout matches a run of spaces.
    while separator == " ", i < chars.count, chars[i] == " " { i += 1 }
    guard let hour = number(minDigits: 1, maxDigits: 2), expect(":"),
      let minute = number(minDigits: 1, maxDigits: 2), expect(":"),
      let second = number(minDigits: 1, maxDigits: 2), hour < 24, minute < 60, second < 60
    else { return nil }
    var fraction = ""
    // Go's time.Parse takes a decimal comma too, and any number of digits, of which it keeps
    // nanoseconds (truncating): kubectl kustomize prints 10:00:00,5 as 10:00:00.5.
    if i < chars.count, chars[i] == "." || chars[i] == "," {
      i += 1
      let start = i
      while i < chars.count, chars[i].isASCII, chars[i].isNumber { i += 1 }
      guard i > start else { return nil }
      fraction = String(chars[start..<min(i, start + 9)])
      while fraction.hasSuffix("0") { fraction.removeLast() }
    }
    var zone = "Z"
    if separator == " " {
      guard i == chars.count else { return nil }
    } else {
      guard i < chars.count else { return nil }
      if chars[i] == "Z" {
        i += 1
      } else if chars[i] == "+" || chars[i] == "-" {
        let sign = chars[i]
        i += 1
        // Go accepts an offset minute of 60 (+05:60 is +06:00); kustomize fails on offsets of
        // a day or more, which are left as text here.
        guard let zh = number(minDigits: 2, maxDigits: 2), expect(":"),
          let zm = number(minDigits: 2, maxDigits: 2), zm <= 60, zh * 60 + zm < 24 * 60
        else { return nil }
        let offset = zh * 60 + zm
        if offset != 0 { zone = "\(sign)\(pad(offset / 60, 2)):\(pad(offset % 60, 2))" }
      } else {
        return nil
      }
      guard i == chars.count else { return nil }
    }
    let time = pad(hour, 2) + ":" + pad(minute, 2) + ":" + pad(second, 2)
    return date + "T" + time + (fraction.isEmpty ? "" : "." + fraction) + zone
  }

  private static func pad(_ n: Int, _ width: Int) -> String {
    let s = String(n)
    return String(repeating: "0", count: max(0, width - s.count)) + s
  }

  private static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
    case 4, 6, 9, 11: 30
    default: 31
    }
  }
}
