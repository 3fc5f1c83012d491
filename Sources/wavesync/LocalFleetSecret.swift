import Controller
import Foundation
import KubeClient
import Model

/// The local fleet's kubeconfig as a Secret of its regional cluster, as a region keeps its
/// sites' kubeconfig for the controller (a Fleet's `kubeconfigSecretRef`).
enum LocalFleetSecret {
  static let namespace = FleetResourceNames.defaultNamespace
  static let name = "local-fleet-sites"

  static func write(kubeconfigAt path: String, to regional: KubeClient) async throws {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    _ = try await regional.apply(
      ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(namespace)]],
      fieldManager: "wavesync-local-fleet")
    _ = try await regional.apply(
      [
        "apiVersion": "v1", "kind": "Secret",
        "metadata": ["name": .string(name), "namespace": .string(namespace)],
        "data": ["kubeconfig": .string(Data(text.utf8).base64EncodedString())],
      ], fieldManager: "wavesync-local-fleet")
  }
}
