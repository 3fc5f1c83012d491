/// A password, token or passphrase. Every way of printing it (description, debugDescription,
/// `dump`, string interpolation) shows `<redacted>`, so a secret cannot leak through logs.
public struct GitSecret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
  CustomReflectable
{
  /// The secret itself; internal so only the credential callback hands it to libgit2.
  let value: String

  public init(_ value: String) { self.value = value }

  public var description: String { "<redacted>" }
  public var debugDescription: String { "<redacted>" }
  public var customMirror: Mirror { Mirror(self, children: [:]) }
}
