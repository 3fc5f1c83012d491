import Crypto
import Foundation
public import KubeClient
public import Model
import Sync

/// The short-lived DaemonSet that makes every node of a site pull a list of images: one
/// container per image, so one pod per node pulls them all.
///
/// Each image is a container of its own, not an init container: init containers run one after
/// another, and one whose no-op command cannot start (a distroless image has no shell) would
/// keep every image after it from being pulled. A container that cannot start has still been
/// pulled, which is all pre-staging needs: it never runs what the image would run (`command`
/// replaces the entrypoint), as nobody, with no privileges, tiny requests and no service
/// account token; it tolerates every taint, so no node is left out.
public enum PrestageDaemonSet {
  public static let apiVersion = "apps/v1"
  /// Wavesync's namespace on a site (the inventories are there too).
  public static let namespace = Inventory.namespace
  public static let namePrefix = "wavesync-prestage-"
  /// On the DaemonSet and its pods: the DaemonSet's name.
  public static let label = "wavesync.io/prestage"
  /// What each container runs: nothing, through the image's shell when it has one.
  static let noOpCommand: [String] = ["/bin/sh", "-c", "exit 0"]

  /// `wavesync-prestage-<digest of the images>`: the same images get the same DaemonSet, so an
  /// earlier attempt's is reused.
  public static func name(for images: [String]) -> String {
    let digest = SHA256.hash(data: Data(Set(images).sorted().joined(separator: "\n").utf8))
      .prefix(5).map { String(format: "%02x", $0) }.joined()
    return namePrefix + digest
  }

  public static func reference(named name: String) -> ObjectReference {
    ObjectReference(apiVersion: apiVersion, kind: "DaemonSet", namespace: namespace, name: name)
  }

  /// The container that pulls `images[index]`.
  static func containerName(at index: Int) -> String { "image-\(index + 1)" }

  /// The DaemonSet pulling `images` (each once, in the order given).
  public static func object(pulling images: [String]) -> Value {
    let name = name(for: images)
    let labels: Value = [
      Inventory.managedByLabel: "wavesync", label: .string(name),
    ]
    let containers: [Value] = images.enumerated().map { index, image in
      [
        "name": .string(containerName(at: index)),
        "image": .string(image),
        "imagePullPolicy": "IfNotPresent",
        "command": .array(noOpCommand.map(Value.string)),
        "resources": [
          "requests": ["cpu": "1m", "memory": "4Mi"],
          "limits": ["cpu": "50m", "memory": "32Mi"],
        ],
        "securityContext": [
          "runAsNonRoot": true, "runAsUser": 65534, "allowPrivilegeEscalation": false,
          "readOnlyRootFilesystem": true, "capabilities": ["drop": ["ALL"]],
        ],
      ]
    }
    return [
      "apiVersion": .string(apiVersion), "kind": "DaemonSet",
      "metadata": ["name": .string(name), "namespace": .string(namespace), "labels": labels],
      "spec": [
        "selector": ["matchLabels": [label: .string(name)]],
        "template": [
          "metadata": ["labels": labels],
          "spec": [
            "containers": .array(containers),
            "tolerations": [["operator": "Exists"]],
            "automountServiceAccountToken": false,
            "enableServiceLinks": false,
            "terminationGracePeriodSeconds": 1,
            "securityContext": ["seccompProfile": ["type": "RuntimeDefault"]],
          ],
        ],
      ],
    ]
  }
}
