/// What can go wrong asking a registry about an image. Messages name the image (or the
/// credentials' source and host); they never carry a password, token or `auth` value, and a
/// registry's error `detail` is left out because it may echo a request.
public enum RegistryError: Error, Sendable, Equatable, CustomStringConvertible {
  case invalidReference(String, reason: String)
  /// No HTTP answer: refused, DNS, TLS, timed out.
  case unreachable(image: String, registry: String, reason: String)
  /// 401/403 after the challenge was answered (or with no credentials to answer it).
  case unauthorized(image: String, registry: String)
  /// The tag, digest or repository does not exist.
  case notFound(image: String)
  case noMatchingPlatform(image: String, platform: String, available: [String])
  case badManifest(image: String, reason: String)
  /// Any other answer, with the registry's error codes and messages.
  case server(image: String, status: Int, message: String)
  /// Unusable credentials or settings, naming where they came from and the field.
  case badConfiguration(String)

  public var description: String {
    switch self {
    case .invalidReference(let text, let reason): "image reference \"\(text)\": \(reason)"
    case .unreachable(let image, let registry, let reason):
      "image \(image): cannot reach registry \(registry): \(reason)"
    case .unauthorized(let image, let registry):
      "image \(image): registry \(registry) refused the credentials (or needs some)"
    case .notFound(let image): "image \(image): not found in its registry"
    case .noMatchingPlatform(let image, let platform, let available):
      "image \(image): no manifest for platform \(platform) (the index has "
        + (available.isEmpty ? "none" : available.joined(separator: ", ")) + ")"
    case .badManifest(let image, let reason): "image \(image): unusable manifest: \(reason)"
    case .server(let image, let status, let message):
      "image \(image): registry answered HTTP \(status)\(message.isEmpty ? "" : ": \(message)")"
    case .badConfiguration(let message): message
    }
  }
}
