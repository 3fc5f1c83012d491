public import Foundation

/// How to reach one cluster. Secrets (token, key) never appear in description/errors/logs.
public struct ClusterConnection: Sendable, Hashable, CustomStringConvertible {
  /// Context or cluster name, for messages.
  public var name: String
  /// The API server's base URL, e.g. `https://127.0.0.1:6443`.
  public var server: String
  /// PEM of the CA that signed the server's certificate; the system store when nil.
  public var certificateAuthorityData: Data?
  /// PEM client certificate, for mutual TLS.
  public var clientCertificateData: Data?
  /// PEM private key of the client certificate.
  public var clientKeyData: KubeSecret?
  /// The token sent, read from `bearerTokenFile` when there is one. Setting it drops the file.
  public var bearerToken: KubeSecret? {
    get { bearerTokenFile?.token ?? fixedBearerToken }
    set {
      fixedBearerToken = newValue
      bearerTokenFile = nil
    }
  }
  private var fixedBearerToken: KubeSecret?
  /// A token file read again whenever it changes (a pod's service account token).
  public var bearerTokenFile: TokenFile?
  /// Only when the kubeconfig says so.
  public var insecureSkipTLSVerify: Bool

  public init(
    name: String, server: String, certificateAuthorityData: Data? = nil,
    clientCertificateData: Data? = nil, clientKeyData: KubeSecret? = nil,
    bearerToken: KubeSecret? = nil, bearerTokenFile: TokenFile? = nil,
    insecureSkipTLSVerify: Bool = false
  ) {
    self.name = name
    self.server = server
    self.certificateAuthorityData = certificateAuthorityData
    self.clientCertificateData = clientCertificateData
    self.clientKeyData = clientKeyData
    self.fixedBearerToken = bearerToken
    self.bearerTokenFile = bearerTokenFile
    self.insecureSkipTLSVerify = insecureSkipTLSVerify
  }

  /// `edge-1 (https://127.0.0.1:6443)`: the name and where it points, nothing secret.
  public var description: String { "\(name) (\(server))" }
}
