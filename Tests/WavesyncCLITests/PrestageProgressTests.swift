import Model
import Testing

@testable import Controller

/// How far a pre-stage got, from a DaemonSet and its pods as the API server returns them.
@Suite struct PrestageProgressTests {
  static let images = ["registry.local/till:2.0", "registry.local/scale:1.0"]

  static func daemonSet(desired: Int64?, observed: Int64 = 1) -> Value {
    var object: Value = [
      "apiVersion": "apps/v1", "kind": "DaemonSet",
      "metadata": ["name": "wavesync-prestage-x", "uid": "ds-1", "generation": 1],
    ]
    if let desired {
      object["status"] = [
        "desiredNumberScheduled": .int(desired), "observedGeneration": .int(observed),
      ]
    }
    return object
  }

  /// A pod pinned to `node` the way the DaemonSet controller pins it (no scheduler bound it).
  static func pod(
    on node: String, owner: String = "ds-1", pulled: [Bool], waiting: String? = nil
  ) -> Value {
    let statuses: [Value] = images.enumerated().map { index, image in
      var status: Value = [
        "name": .string("image-\(index + 1)"), "image": .string(image),
        "imageID": pulled[index] ? .string("\(image)@sha256:abc") : "",
      ]
      if !pulled[index], let waiting {
        status["state"] = ["waiting": ["reason": .string(waiting), "message": "not found"]]
      }
      return status
    }
    return [
      "metadata": [
        "name": .string("wavesync-prestage-x-\(node)"),
        "ownerReferences": [["kind": "DaemonSet", "uid": .string(owner)]],
      ],
      "spec": [
        "affinity": [
          "nodeAffinity": [
            "requiredDuringSchedulingIgnoredDuringExecution": [
              "nodeSelectorTerms": [
                [
                  "matchFields": [
                    ["key": "metadata.name", "operator": "In", "values": [.string(node)]]
                  ]
                ]
              ]
            ]
          ]
        ]
      ],
      "status": ["containerStatuses": .array(statuses)],
    ]
  }

  @Test func everyNodeMustPullEveryImage() {
    let pods = [
      Self.pod(on: "a", pulled: [true, true]), Self.pod(on: "b", pulled: [true, false]),
    ]
    let progress = PrestageProgress.read(
      daemonSet: Self.daemonSet(desired: 2), pods: pods, images: Self.images)
    #expect(
      progress
        == .pulling(
          "1 of 2 nodes pulled every image (2 pods); node b has not pulled registry.local/scale:1.0 yet"
        ))
    let done = PrestageProgress.read(
      daemonSet: Self.daemonSet(desired: 2),
      pods: [Self.pod(on: "a", pulled: [true, true]), Self.pod(on: "b", pulled: [true, true])],
      images: Self.images)
    #expect(done == .pulled)
  }

  /// A node without a pod yet, a status the controller has not updated, and pods of an earlier
  /// DaemonSet of the same name: none counts as pulled.
  @Test func uncountedNodesAndOtherDaemonSetsPodsDoNotCount() {
    let pulledByEarlier = [
      Self.pod(on: "a", owner: "ds-0", pulled: [true, true]),
      Self.pod(on: "b", owner: "ds-0", pulled: [true, true]),
    ]
    #expect(
      PrestageProgress.read(
        daemonSet: Self.daemonSet(desired: 2), pods: pulledByEarlier, images: Self.images)
        == .pulling("0 of 2 nodes pulled every image (0 pods)"))
    #expect(
      PrestageProgress.read(
        daemonSet: Self.daemonSet(desired: nil), pods: [], images: Self.images)
        == .pulling("the DaemonSet controller has not counted the nodes yet"))
    #expect(
      PrestageProgress.read(
        daemonSet: Self.daemonSet(desired: 1, observed: 0),
        pods: [Self.pod(on: "a", pulled: [true, true])], images: Self.images)
        == .pulling("the DaemonSet controller has not counted the nodes yet"))
  }

  @Test func anImageThatCannotBePulledNamesTheImageAndNode() {
    let pods = [
      Self.pod(on: "a", pulled: [true, true]),
      Self.pod(on: "b", pulled: [true, false], waiting: "ImagePullBackOff"),
    ]
    #expect(
      PrestageProgress.read(daemonSet: Self.daemonSet(desired: 2), pods: pods, images: Self.images)
        == .cannotPull(
          image: "registry.local/scale:1.0", node: "b", reason: "ImagePullBackOff: not found"))
  }
}
