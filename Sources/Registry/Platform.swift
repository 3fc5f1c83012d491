/// The platform whose image an index is resolved to: `linux/amd64`, `linux/arm64/v8`.
public struct Platform: Sendable, Hashable, CustomStringConvertible {
  public var os: String
  public var architecture: String
  public var variant: String?

  public init(os: String, architecture: String, variant: String? = nil) {
    self.os = os
    self.architecture = architecture
    self.variant = variant
  }

  public static let linuxAMD64 = Platform(os: "linux", architecture: "amd64")

  /// `os/architecture[/variant]`, as `docker --platform` takes it; nil for anything else.
  public init?(parsing text: String) {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    guard (2...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty }) else { return nil }
    self.init(os: parts[0], architecture: parts[1], variant: parts.count == 3 ? parts[2] : nil)
  }

  public var description: String {
    [os, architecture, variant].compactMap(\.self).joined(separator: "/")
  }

  /// Whether an index entry for `offered` runs here. Without a variant asked for, any variant
  /// of the architecture does; `arm64` entries often omit their only variant, `v8`.
  func accepts(_ offered: Platform) -> Bool {
    guard offered.os == os, offered.architecture == architecture else { return false }
    guard let variant else { return true }
    return offered.variant == variant
      || (architecture == "arm64" && variant == "v8" && offered.variant == nil)
  }
}
