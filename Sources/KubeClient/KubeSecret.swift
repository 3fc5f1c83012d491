/// A bearer token or private key. Every way of printing it (description, debugDescription,
/// `dump`, string interpolation) shows `<redacted>`, so a secret cannot leak through logs or
/// error messages.
public struct KubeSecret: Sendable, Hashable, CustomStringConvertible,
  CustomDebugStringConvertible, CustomReflectable
{
  /// The secret itself; only the transport (and `reveal()`) reads it.
  let value: String

  public init(_ value: String) { self.value = value }

  /// The secret in clear, for the rare caller that must hand it on (writing a kubeconfig).
  /// Named loudly so it stands out in review.
  public func reveal() -> String { value }

  public var description: String { "<redacted>" }
  public var debugDescription: String { "<redacted>" }
  public var customMirror: Mirror { Mirror(self, children: [:]) }
}
