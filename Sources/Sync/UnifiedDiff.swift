/// A unified diff of two texts, line by line, with `context` lines around each change, as
/// `diff -u` prints it (without the file header).
public enum UnifiedDiff {
  public static func lines(from old: String, to new: String, context: Int = 3) -> String {
    let a = old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let b = new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let edits = script(a, b)
    guard edits.contains(where: { $0.kind != .same }) else { return "" }
    var out: [String] = []
    var index = 0
    while index < edits.count {
      guard edits[index].kind != .same else {
        index += 1
        continue
      }
      // A hunk: this change plus every change within 2 × context lines of the previous one.
      let start = max(0, index - context)
      var end = index
      var lastChange = index
      while end < edits.count && end - lastChange <= 2 * context {
        if edits[end].kind != .same { lastChange = end }
        end += 1
      }
      end = min(edits.count, lastChange + context + 1)
      let hunk = edits[start..<end]
      let oldStart = (hunk.first?.oldLine ?? 0) + 1
      let newStart = (hunk.first?.newLine ?? 0) + 1
      let oldCount = hunk.filter { $0.kind != .insert }.count
      let newCount = hunk.filter { $0.kind != .delete }.count
      out.append("@@ -\(oldStart),\(oldCount) +\(newStart),\(newCount) @@")
      for edit in hunk {
        switch edit.kind {
        case .same: out.append(" " + edit.text)
        case .delete: out.append("-" + edit.text)
        case .insert: out.append("+" + edit.text)
        }
      }
      index = end
    }
    return out.joined(separator: "\n") + "\n"
  }

  struct Edit {
    enum Kind { case same, delete, insert }
    var kind: Kind
    var text: String
    /// Lines before this edit on each side (0-based positions).
    var oldLine: Int
    var newLine: Int
  }

  /// The shortest edit script by longest common subsequence; manifests are small enough for
  /// the quadratic table.
  static func script(_ a: [String], _ b: [String]) -> [Edit] {
    let n = a.count
    let m = b.count
    var table = Array(repeating: Array(repeating: 0, count: m + 1), count: n + 1)
    for i in stride(from: n - 1, through: 0, by: -1) {
      for j in stride(from: m - 1, through: 0, by: -1) {
        table[i][j] = a[i] == b[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
      }
    }
    var edits: [Edit] = []
    var i = 0
    var j = 0
    while i < n || j < m {
      if i < n, j < m, a[i] == b[j] {
        edits.append(Edit(kind: .same, text: a[i], oldLine: i, newLine: j))
        i += 1
        j += 1
      } else if i < n, j == m || table[i + 1][j] >= table[i][j + 1] {
        // Deletions before insertions, as `diff -u` prints them.
        edits.append(Edit(kind: .delete, text: a[i], oldLine: i, newLine: j))
        i += 1
      } else {
        edits.append(Edit(kind: .insert, text: b[j], oldLine: i, newLine: j))
        j += 1
      }
    }
    return edits
  }
}
