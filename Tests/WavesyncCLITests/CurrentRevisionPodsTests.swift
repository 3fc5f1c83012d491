import Model
import Testing

@testable import Controller

/// Which pods belong to a workload's current revision, for the kinds whose controllers the
/// local fleet does not run (StatefulSet, DaemonSet) and for a Deployment mid-rollout.
@Suite struct CurrentRevisionPodsTests {
  func pod(_ name: String, _ labels: Value) -> Value {
    ["kind": "Pod", "metadata": ["name": .string(name), "namespace": "shop", "labels": labels]]
  }

  func owned(_ kind: String, _ name: String, labels: Value, extra: Value = [:]) -> Value {
    var object: Value = [
      "kind": .string(kind),
      "metadata": [
        "name": .string(name), "namespace": "shop", "labels": labels,
        "ownerReferences": [["uid": "owner-uid"]],
      ],
    ]
    for (key, value) in extra.objectValue ?? [:] { object[key] = value }
    return object
  }

  func workload(_ kind: String, status: Value = [:], annotations: Value = [:]) -> Value {
    [
      "kind": .string(kind),
      "metadata": [
        "name": "till", "namespace": "shop", "uid": "owner-uid", "annotations": annotations,
      ],
      "spec": ["selector": ["matchLabels": ["app": "till"]]],
      "status": status,
    ]
  }

  func names(_ pods: [Value]) -> [String] {
    pods.compactMap { $0[path: ["metadata", "name"]]?.stringValue }
  }

  @Test func aDeploymentsPodsAreThoseOfItsCurrentReplicaSet() {
    let pods = CurrentRevisionPods(
      pods: [
        pod("new", ["app": "till", "pod-template-hash": "b"]),
        pod("old", ["app": "till", "pod-template-hash": "a"]),
        pod("other-app", ["app": "pos", "pod-template-hash": "b"]),
      ],
      replicaSets: [
        owned("ReplicaSet", "till-a", labels: ["pod-template-hash": "a"]).settingAnnotation("1"),
        owned("ReplicaSet", "till-b", labels: ["pod-template-hash": "b"]).settingAnnotation("2"),
      ],
      controllerRevisions: [])
    let deployment = workload(
      "Deployment", annotations: ["deployment.kubernetes.io/revision": "2"])
    #expect(names(pods.pods(of: deployment)) == ["new"])
    // Before the controller made the new ReplicaSet: no pods count yet.
    let ahead = workload("Deployment", annotations: ["deployment.kubernetes.io/revision": "3"])
    #expect(pods.pods(of: ahead).isEmpty)
  }

  @Test func aStatefulSetsPodsCarryItsUpdateRevision() {
    let pods = CurrentRevisionPods(
      pods: [
        pod("till-0", ["app": "till", "controller-revision-hash": "till-7f"]),
        pod("till-1", ["app": "till", "controller-revision-hash": "till-5c"]),
      ],
      replicaSets: [], controllerRevisions: [])
    let set = workload("StatefulSet", status: ["updateRevision": "till-7f"])
    #expect(names(pods.pods(of: set)) == ["till-0"])
    #expect(pods.pods(of: workload("StatefulSet")).isEmpty)
  }

  @Test func aDaemonSetsPodsAreThoseOfItsNewestControllerRevision() {
    let pods = CurrentRevisionPods(
      pods: [
        pod("till-x", ["app": "till", "controller-revision-hash": "9d"]),
        pod("till-y", ["app": "till", "controller-revision-hash": "4a"]),
      ],
      replicaSets: [],
      controllerRevisions: [
        owned(
          "ControllerRevision", "till-4a", labels: ["controller-revision-hash": "4a"],
          extra: ["revision": 1]),
        owned(
          "ControllerRevision", "till-9d", labels: ["controller-revision-hash": "9d"],
          extra: ["revision": 2]),
      ])
    #expect(names(pods.pods(of: workload("DaemonSet"))) == ["till-x"])
  }
}

extension Value {
  /// This ReplicaSet with its deployment revision annotation set.
  fileprivate func settingAnnotation(_ revision: String) -> Value {
    var copy = self
    copy[path: ["metadata", "annotations"]] = [
      "deployment.kubernetes.io/revision": .string(revision)
    ]
    return copy
  }
}
