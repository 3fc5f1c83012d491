import KubeClient
import Model

/// The Node the simulated kubelet stands for: Ready, with room for plenty of pods.
enum SimulatedNode {
  static func reference(_ name: String) -> ObjectReference {
    ObjectReference(apiVersion: "v1", kind: "Node", name: name)
  }

  static func register(
    _ name: String, client: KubeClient, fieldManager: String
  ) async throws(KubeError) {
    let node: Value = [
      "apiVersion": "v1", "kind": "Node",
      "metadata": [
        "name": .string(name),
        "labels": [
          "kubernetes.io/hostname": .string(name), "kubernetes.io/os": "linux",
          "kubernetes.io/arch": "amd64",
        ],
      ],
    ]
    _ = try await client.apply(node, fieldManager: fieldManager, force: true)
    let now = SimulatedKubelet.timestamp()
    let capacity: Value = [
      "cpu": "8", "memory": "32Gi", "pods": "110", "ephemeral-storage": "100Gi",
    ]
    func condition(_ type: String, _ status: String, _ reason: String) -> Value {
      [
        "type": .string(type), "status": .string(status), "reason": .string(reason),
        "lastHeartbeatTime": .string(now), "lastTransitionTime": .string(now),
      ]
    }
    let status: Value = [
      "capacity": capacity,
      "allocatable": capacity,
      "conditions": [
        condition("MemoryPressure", "False", "KubeletHasSufficientMemory"),
        condition("DiskPressure", "False", "KubeletHasNoDiskPressure"),
        condition("PIDPressure", "False", "KubeletHasSufficientPID"),
        condition("Ready", "True", "KubeletReady"),
      ],
      "addresses": [
        ["type": "InternalIP", "address": .string(SimulatedKubelet.hostIP)],
        ["type": "Hostname", "address": .string(name)],
      ],
      "nodeInfo": [
        "kubeletVersion": "v1.20.2", "kubeProxyVersion": "v1.20.2",
        "containerRuntimeVersion": "simulated://1.0", "operatingSystem": "linux",
        "architecture": "amd64", "osImage": "Wavesync simulated node", "kernelVersion": "",
        "machineID": "", "systemUUID": "", "bootID": "",
      ],
    ]
    _ = try await client.patchStatus(reference(name), mergePatch: ["status": status])
  }
}
