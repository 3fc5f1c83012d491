import Foundation
import Model

/// Kubeconfig files for the fleet: one context per cluster (named after it), each with the
/// fleet's CA inline and the administrator token, so the file stands alone.
enum KubeconfigWriter {
  static let user = FleetCredentials.adminUser

  static func text(
    clusters: [(name: String, server: String)], credentials: FleetCredentials
  ) -> String {
    let certificateAuthority = credentials.caCertificatePEM.base64EncodedString()
    let config: Value = [
      "apiVersion": "v1",
      "kind": "Config",
      "clusters": .array(
        clusters.map { cluster in
          [
            "name": .string(cluster.name),
            "cluster": [
              "server": .string(cluster.server),
              "certificate-authority-data": .string(certificateAuthority),
            ],
          ]
        }),
      "users": [["name": .string(user), "user": ["token": .string(credentials.adminToken)]]],
      "contexts": .array(
        clusters.map { cluster in
          [
            "name": .string(cluster.name),
            "context": ["cluster": .string(cluster.name), "user": .string(user)],
          ]
        }),
      "current-context": clusters.first.map { .string($0.name) } ?? .null,
      "preferences": .emptyObject,
    ]
    return YAML.emit(config)
  }
  /// The fleet's kubeconfig: every cluster, the first one current.
  static func writeFleet(
    _ clusters: [FleetCluster], credentials: FleetCredentials, to file: URL
  ) throws(LocalFleetError) {
    try write(
      text(clusters: clusters.map { ($0.name, $0.server) }, credentials: credentials), to: file)
  }

  /// The kubeconfig of one cluster alone, for its controller manager.
  static func writeCluster(
    _ cluster: FleetCluster, credentials: FleetCredentials
  ) throws(LocalFleetError) {
    try write(
      text(clusters: [(cluster.name, cluster.server)], credentials: credentials),
      to: cluster.kubeconfig)
  }
}
