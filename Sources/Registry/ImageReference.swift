import Foundation

/// A parsed image reference, as a Pod spec names an image: `[registry/]repository[:tag][@digest]`.
///
/// Docker's defaults apply: no registry means `docker.io` (served at `registry-1.docker.io`),
/// and a one-part repository there gets `library/`. A first part with a dot or a colon, or
/// `localhost`, is a registry (`localhost:5000/app`, `registry.example.com/team/app:1.2`).
public struct ImageReference: Sendable, Hashable, CustomStringConvertible {
  /// The registry as named in references and credentials, `docker.io` for Docker Hub.
  public var registry: String
  public var repository: String
  public var tag: String?
  /// `sha256:<hex>`; when present it, not the tag, says what is pulled.
  public var digest: String?
  /// The reference as written, for messages.
  public var text: String

  public static let dockerHub = "docker.io"

  public init(parsing text: String) throws(RegistryError) {
    self.text = text
    var name = Substring(text.trimmingCharacters(in: .whitespaces))
    guard !name.isEmpty else { throw .invalidReference(text, reason: "it is empty") }
    if let at = name.firstIndex(of: "@") {
      let digest = String(name[name.index(after: at)...])
      guard Self.isDigest(digest) else {
        throw .invalidReference(text, reason: "\(digest) is not a sha256:<64 hex digits> digest")
      }
      self.digest = digest
      name = name[..<at]
    }
    let parts = name.split(separator: "/", omittingEmptySubsequences: false)
    if parts.count > 1, parts[0].contains(".") || parts[0].contains(":") || parts[0] == "localhost"
    {
      registry = Self.canonicalHost(String(parts[0]))
      name = name[name.index(after: name.firstIndex(of: "/")!)...]
    } else {
      registry = Self.dockerHub
    }
    let lastSlash = name.lastIndex(of: "/") ?? name.startIndex
    if let colon = name[lastSlash...].lastIndex(of: ":") {
      let tag = String(name[name.index(after: colon)...])
      guard Self.isTag(tag) else {
        throw .invalidReference(text, reason: "\"\(tag)\" is not a tag")
      }
      self.tag = tag
      name = name[..<colon]
    }
    repository = String(name)
    guard Self.isRepository(repository) else {
      throw .invalidReference(
        text, reason: "\"\(repository)\" is not a repository name (lowercase, digits, . _ - /)")
    }
    if registry == Self.dockerHub, !repository.contains("/") {
      repository = "library/" + repository
    }
    if tag == nil, digest == nil { tag = "latest" }
  }

  /// The host serving the distribution API.
  public var apiHost: String { registry == Self.dockerHub ? "registry-1.docker.io" : registry }

  /// What the manifest URL names: the digest when there is one, else the tag.
  public var manifestReference: String { digest ?? tag ?? "latest" }

  /// The same image pinned to `digest`.
  public func pinned(to digest: String) -> ImageReference {
    var pinned = self
    pinned.digest = digest
    return pinned
  }

  public var description: String { text }

  /// Credentials and references spell one registry several ways: `https://index.docker.io/v1/`,
  /// `docker.io`, `Registry.Example.com/`.
  public static func canonicalHost(_ text: String) -> String {
    var host = Substring(text.lowercased())
    for scheme in ["https://", "http://"] where host.hasPrefix(scheme) {
      host = host.dropFirst(scheme.count)
    }
    if let slash = host.firstIndex(of: "/") { host = host[..<slash] }
    return ["index.docker.io", "registry-1.docker.io", "docker.io"].contains(host)
      ? dockerHub : String(host)
  }

  static func isDigest(_ text: String) -> Bool {
    guard text.hasPrefix("sha256:") else { return false }
    let hex = text.dropFirst("sha256:".count)
    return hex.count == 64 && hex.allSatisfy { $0.isHexDigit && !$0.isUppercase }
  }

  private static func isTag(_ text: String) -> Bool {
    guard let first = text.first, text.count <= 128, first != ".", first != "-" else {
      return false
    }
    return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }
  }

  private static func isRepository(_ text: String) -> Bool {
    let components = text.split(separator: "/", omittingEmptySubsequences: false)
    return components.allSatisfy { component in
      guard let first = component.first, let last = component.last,
        first.isLetter || first.isNumber, last.isLetter || last.isNumber
      else { return false }
      return component.allSatisfy {
        $0.isASCII && ($0.isLowercase || $0.isNumber || "._-".contains($0))
      }
    }
  }
}
