import Model
import Testing

@testable import Controller

/// When a site's workloads have pulled their current revision's images: every pod they want is
/// there, with an image id for each container and init container.
@Suite struct ImagePullsTests {
  func pod(_ name: String, hash: String = "7f", containers: Int = 1, pulled: [Bool]) -> Value {
    let statuses: [Value] = pulled.enumerated().map { index, done in
      ["name": .string("c\(index)"), "imageID": .string(done ? "sha256:\(index)" : "")]
    }
    return [
      "kind": "Pod",
      "metadata": [
        "name": .string(name), "namespace": "shop",
        "labels": ["app": "till", "controller-revision-hash": .string(hash)],
      ],
      "spec": [
        "containers": .array((0..<containers).map { ["name": .string("c\($0)")] })
      ],
      "status": ["containerStatuses": .array(statuses)],
    ]
  }

  func statefulSet(replicas: Int64?) -> Value {
    var spec: Value = ["selector": ["matchLabels": ["app": "till"]]]
    if let replicas { spec["replicas"] = .int(replicas) }
    return [
      "kind": "StatefulSet", "metadata": ["name": "till", "namespace": "shop"], "spec": spec,
      "status": ["updateRevision": "7f"],
    ]
  }

  func complete(_ workload: Value, _ pods: [Value]) -> Bool {
    ImagePulls.complete(
      workloads: [workload],
      pods: CurrentRevisionPods(pods: pods, replicaSets: [], controllerRevisions: []))
  }

  @Test func everyWantedPodWithEveryImageIsPulled() {
    let two = statefulSet(replicas: 2)
    #expect(complete(two, [pod("till-0", pulled: [true]), pod("till-1", pulled: [true])]))
    // One pod of two: the other may land on another node and pull there.
    #expect(!complete(two, [pod("till-0", pulled: [true])]))
    // A container still pulling, or one the kubelet has not reported yet.
    #expect(!complete(two, [pod("till-0", pulled: [true]), pod("till-1", pulled: [false])]))
    #expect(
      !complete(
        two, [pod("till-0", pulled: [true]), pod("till-1", containers: 2, pulled: [true])]))
    // Pods of an older revision do not count.
    #expect(
      !complete(two, [pod("till-0", pulled: [true]), pod("old", hash: "5c", pulled: [true])]))
    // Unset replicas is one; zero wants nothing.
    #expect(complete(statefulSet(replicas: nil), [pod("till-0", pulled: [true])]))
    #expect(complete(statefulSet(replicas: 0), []))
  }

  @Test func aDaemonSetThatHasNotCountedItsNodesIsNotPulled() {
    let daemonSet: Value = ["kind": "DaemonSet", "spec": [:], "status": [:]]
    #expect(ImagePulls.wantedPods(of: daemonSet) == nil)
    #expect(!complete(daemonSet, []))
    var counted = daemonSet
    counted["status"] = ["desiredNumberScheduled": 3]
    #expect(ImagePulls.wantedPods(of: counted) == 3)
  }

  @Test func initContainersCountToo() {
    var pod = pod("till-0", pulled: [true])
    pod["spec"]?["initContainers"] = [["name": "migrate"]]
    #expect(!ImagePulls.pulled(pod))
    pod["status"]?["initContainerStatuses"] = [["name": "migrate", "imageID": "sha256:m"]]
    #expect(ImagePulls.pulled(pod))
  }
}
