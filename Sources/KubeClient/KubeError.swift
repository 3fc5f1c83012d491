/// What can go wrong talking to a cluster. Messages name the cluster and the object; they are
/// built from the API's own `Status` and never carry token or key material.
public enum KubeError: Error, Sendable, Equatable, CustomStringConvertible {
  case notFound(String)
  case conflict(String)
  case forbidden(String)
  case unauthorized(String)
  /// 422, with `Status.details.causes` as "spec.replicas: Invalid value: ...".
  case invalid(String, causes: [String])
  /// Connection refused, DNS, TLS handshake, a cancelled request, ...
  case unreachable(cluster: String, reason: String)
  case timeout(cluster: String)
  /// Any other 4xx/5xx, with `Status.message`.
  case server(code: Int, message: String)
  case unknownKind(apiVersion: String, kind: String)
  /// Kubeconfig problems, naming the file and the field.
  case badConfig(String)

  public var description: String {
    switch self {
    case .notFound(let message), .conflict(let message), .forbidden(let message),
      .unauthorized(let message), .badConfig(let message):
      message
    case .invalid(let message, let causes):
      causes.isEmpty || causes.allSatisfy(message.contains)
        ? message : "\(message) (\(causes.joined(separator: "; ")))"
    case .unreachable(let cluster, let reason): "cannot reach cluster \(cluster): \(reason)"
    case .timeout(let cluster): "cluster \(cluster) did not answer in time"
    case .server(let code, let message): "\(message) (HTTP \(code))"
    case .unknownKind(let apiVersion, let kind):
      "the server does not serve kind \(kind) in \(apiVersion) (is its CRD installed?)"
    }
  }
}
