public import Foundation

extension Kubeconfig {
  /// The connection of a pod's service account: the token and CA mounted at `root` (the token
  /// read again whenever the kubelet replaces it), the API server from
  /// KUBERNETES_SERVICE_HOST / KUBERNETES_SERVICE_PORT.
  public static func inCluster(
    root: String = "/var/run/secrets/kubernetes.io/serviceaccount",
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws(KubeError) -> ClusterConnection {
    guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
      let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty
    else {
      throw .badConfig(
        "not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set")
    }
    let tokenPath = root + "/token"
    let tokenFile: TokenFile
    do {
      tokenFile = try TokenFile(path: tokenPath)
    } catch {
      throw .badConfig(
        "in-cluster config: cannot read the service account token \(tokenPath) (missing or empty)")
    }
    // An IPv6 service address needs brackets in a URL.
    let hostPart = host.contains(":") ? "[\(host)]" : host
    return ClusterConnection(
      name: "in-cluster", server: "https://\(hostPart):\(port)",
      certificateAuthorityData: FileManager.default.contents(atPath: root + "/ca.crt"),
      bearerTokenFile: tokenFile)
  }
}
