import Foundation

/// One cluster of the fleet as configured: its name, port, folder and keys, and the command lines
/// of its kube-apiserver and kube-controller-manager. The processes themselves live in the fleet.
struct FleetCluster: Sendable {
  var name: String
  var port: UInt16
  var directory: URL
  var serviceAccountKey: URL
  var serviceAccountPublicKey: URL
  /// The kubeconfig of this cluster alone, for its controller manager.
  var kubeconfig: URL

  var server: String { "https://127.0.0.1:\(port)" }
  var apiServerLog: URL { directory.appendingPathComponent("kube-apiserver.log") }
  var controllerManagerLog: URL {
    directory.appendingPathComponent("kube-controller-manager.log")
  }

  func apiServerArguments(etcdPort: UInt16, credentials: FleetCredentials) -> [String] {
    [
      "--etcd-servers=http://127.0.0.1:\(etcdPort)",
      // Every cluster keeps its objects under its own prefix of the one shared etcd.
      "--etcd-prefix=/\(name)",
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      "--secure-port=\(port)",
      // v1.20 also serves plain HTTP on 127.0.0.1:8080 unless told not to; clusters would clash.
      "--insecure-port=0",
      "--cert-dir=\(directory.appendingPathComponent("certificates").path)",
      "--tls-cert-file=\(credentials.servingCertificate.path)",
      "--tls-private-key-file=\(credentials.servingKey.path)",
      "--token-auth-file=\(credentials.tokenFile.path)",
      "--anonymous-auth=false",
      "--authorization-mode=RBAC",
      "--service-account-issuer=https://kubernetes.default.svc",
      "--service-account-key-file=\(serviceAccountPublicKey.path)",
      "--service-account-signing-key-file=\(serviceAccountKey.path)",
      "--service-cluster-ip-range=10.0.0.0/24",
      // Memory: no API priority and fairness machinery, no profiling endpoints.
      "--enable-priority-and-fairness=false",
      "--profiling=false",
      "--event-ttl=15m",
    ]
  }

  func controllerManagerArguments() -> [String] {
    [
      "--kubeconfig=\(kubeconfig.path)",
      // The volume binder binds the claims SimulatedProvisioner makes volumes for; the daemonset
      // controller gives each simulated node its DaemonSet pod (pinned by node affinity).
      "--controllers=deployment,replicaset,daemonset,namespace,garbagecollector,serviceaccount,"
        + "serviceaccount-token,persistentvolume-binder",
      "--service-account-private-key-file=\(serviceAccountKey.path)",
      "--use-service-account-credentials=false",
      "--leader-elect=false",
      "--bind-address=127.0.0.1",
      "--secure-port=0",
      "--port=0",
      "--profiling=false",
    ]
  }
}
