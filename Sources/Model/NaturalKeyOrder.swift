/// The order kubectl kustomize prints mapping keys in (go-yaml v2's sorter, which
/// sigs.k8s.io/yaml uses): runs of digits compare by number, so `b9` comes before `b10`;
/// a non-letter sorts before a letter.
enum NaturalKeyOrder {
  static func less(_ a: String, _ b: String) -> Bool {
    let x = Array(a.unicodeScalars)
    let y = Array(b.unicodeScalars)
    var i = 0
    while i < x.count && i < y.count {
      if x[i] == y[i] {
        i += 1
        continue
      }
      let xLetter = x[i].properties.isAlphabetic
      let yLetter = y[i].properties.isAlphabetic
      if xLetter && yLetter { return x[i] < y[i] }
      if xLetter || yLetter { return yLetter }
      var xNumber = number(x, from: i)
      var yNumber = number(y, from: i)
      // Leading zeros within a digit run started earlier still count as part of that number.
      if x[i] == "0" || y[i] == "0" {
        var j = i - 1
        while j >= 0 && isDigit(x[j]) {
          if x[j] != "0" {
            xNumber.value = 1
            yNumber.value = 1
            break
          }
          j -= 1
        }
      }
      if xNumber.value != yNumber.value { return xNumber.value < yNumber.value }
      if xNumber.end != yNumber.end { return xNumber.end < yNumber.end }
      return x[i] < y[i]
    }
    return x.count < y.count
  }

  private static func isDigit(_ s: Unicode.Scalar) -> Bool { s.properties.numericType == .decimal }

  private static func number(_ s: [Unicode.Scalar], from start: Int) -> (value: Int64, end: Int) {
    var value: Int64 = 0
    var end = start
    while end < s.count, isDigit(s[end]), let d = s[end].properties.numericValue {
      value = value &* 10 &+ Int64(d)
      end += 1
    }
    return (value, end)
  }
}
