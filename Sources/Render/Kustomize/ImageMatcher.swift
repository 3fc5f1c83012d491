internal import Foundation

/// One `images` entry: which image references it matches and how it rewrites them.
struct ImageMatcher {
  let rule: Kustomization.ImageRule
  private let pattern: NSRegularExpression?

  init(rule: Kustomization.ImageRule) {
    self.rule = rule
    // Kustomize uses the name as a regular expression as written; so does Wavesync.
    pattern = try? NSRegularExpression(
      pattern: "^" + rule.name + "(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$")
  }

  func matches(_ image: String) -> Bool {
    guard let pattern else { return image == rule.name }
    return pattern.firstMatch(in: image, range: NSRange(image.startIndex..., in: image)) != nil
  }

  func apply(to image: String) -> String {
    guard matches(image) else { return image }
    var (name, tag, digest) = Self.split(image)
    if let newName = rule.newName, !newName.isEmpty { name = newName }
    switch (
      rule.newTag.flatMap { $0.isEmpty ? nil : $0 }, rule.digest.flatMap { $0.isEmpty ? nil : $0 }
    ) {
    case (let newTag?, let newDigest?): (tag, digest) = (newTag, newDigest)
    case (let newTag?, nil): (tag, digest) = (newTag, "")
    case (nil, let newDigest?): (tag, digest) = ("", newDigest)
    case (nil, nil):
      // tagSuffix applies only where no new tag or digest is given, and drops the digest.
      if let suffix = rule.tagSuffix, !suffix.isEmpty { (tag, digest) = (tag + suffix, "") }
    }
    if !tag.isEmpty { name += ":" + tag }
    if !digest.isEmpty { name += "@" + digest }
    return name
  }

  /// `[host[:port]/]path[:tag][@digest]`: a colon before the first slash is a port, not a tag.
  static func split(_ image: String) -> (name: String, tag: String, digest: String) {
    let chars = Array(image)
    var searchStart = 0
    if let slash = chars.firstIndex(of: "/"), slash > 0 { searchStart = slash }
    let at = chars[searchStart...].firstIndex(of: "@")
    let colon = chars[searchStart...].firstIndex(of: ":")
    switch (colon, at) {
    case (nil, nil):
      return (image, "", "")
    case (let c?, let a?) where c < a:
      return (String(chars[..<c]), String(chars[(c + 1)..<a]), String(chars[(a + 1)...]))
    case (_, let a?):
      return (String(chars[..<a]), "", String(chars[(a + 1)...]))
    case (let c?, nil):
      return (String(chars[..<c]), String(chars[(c + 1)...]), "")
    }
  }
}
