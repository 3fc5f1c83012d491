import Foundation
public import KubeClient
import Model

/// Creating a `Fleet` for a rollout run from a terminal, when the regional cluster has none yet.
public enum FleetSetup {
  /// Creates `Fleet` `namespace/name` following `url` (a Git URL, or a local path, written as
  /// file://) unless it exists; its namespace too. `kubeconfigSecret` names the Secret with the
  /// sites' kubeconfig, so a controller can take the Fleet over. Returns whether it was created.
  @discardableResult
  public static func ensureFleet(
    client: KubeClient, namespace: String, name: String, url: String, ref: String?,
    siteSelector: String?, kubeconfigSecret: String? = nil
  ) async throws -> Bool {
    let reference = ObjectReference(
      apiVersion: FleetResourceNames.apiVersion, kind: FleetResourceNames.fleetKind,
      namespace: namespace, name: name)
    do {
      if try await client.get(reference) != nil { return false }
      try await ensureNamespace(namespace, client: client)
      var source: Value = ["url": .string(sourceURL(url))]
      if let ref { source["ref"] = .string(ref) }
      var spec: Value = ["source": source]
      if let siteSelector, !siteSelector.isEmpty { spec["siteSelector"] = .string(siteSelector) }
      if let kubeconfigSecret { spec["kubeconfigSecretRef"] = ["name": .string(kubeconfigSecret)] }
      _ = try await client.create([
        "apiVersion": .string(FleetResourceNames.apiVersion),
        "kind": .string(FleetResourceNames.fleetKind),
        "metadata": [
          "name": .string(name), "namespace": .string(namespace),
          "labels": ["app.kubernetes.io/managed-by": "wavesync"],
        ],
        "spec": spec,
      ])
      return true
    } catch {
      if case .unknownKind = error { throw FleetStateStoreError.notInstalled(error.description) }
      if case .conflict = error { return false }
      throw error
    }
  }

  /// What the CRD accepts as a source URL: remote URLs as they are, paths as file:// URLs.
  static func sourceURL(_ repo: String) -> String {
    if repo.contains("://") { return repo }
    let path = URL(fileURLWithPath: repo).standardizedFileURL.path
    return "file://" + path
  }

  static func ensureNamespace(_ namespace: String, client: KubeClient) async throws(KubeError) {
    let reference = ObjectReference(apiVersion: "v1", kind: "Namespace", name: namespace)
    guard try await client.get(reference) == nil else { return }
    do {
      _ = try await client.create([
        "apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(namespace)],
      ])
    } catch {
      guard case .conflict = error else { throw error }
    }
  }
}
