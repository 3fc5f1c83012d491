public import Foundation

/// How a `RegistryClient` reaches registries and which image of an index it picks.
public struct RegistryClientConfiguration: Sendable {
  /// The platform an image index resolves to.
  public var platform: Platform
  public var credentials: RegistryCredentials
  /// Registries (`host:port`, as in references) spoken to over plain HTTP; every other one over
  /// HTTPS with the certificate verified.
  public var plainHTTPRegistries: Set<String>
  /// PEM of the CA that signed the registries' certificates; the system store when nil.
  public var certificateAuthorityData: Data?
  /// Bounds each try of a request; transient failures are tried again (4 tries in all).
  public var timeoutSeconds: Double

  public init(
    platform: Platform = .linuxAMD64, credentials: RegistryCredentials = .anonymous,
    plainHTTPRegistries: Set<String> = [], certificateAuthorityData: Data? = nil,
    timeoutSeconds: Double = 30
  ) {
    self.platform = platform
    self.credentials = credentials
    self.plainHTTPRegistries = Set(plainHTTPRegistries.map(ImageReference.canonicalHost))
    self.certificateAuthorityData = certificateAuthorityData
    self.timeoutSeconds = timeoutSeconds
  }

  /// Reads the CA bundle at `path` into `certificateAuthorityData`; the error names the file.
  public mutating func trustCertificateAuthority(file path: String) throws(RegistryError) {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw .badConfiguration("cannot read the registry CA file \(path)")
    }
    certificateAuthorityData = data
  }
}
