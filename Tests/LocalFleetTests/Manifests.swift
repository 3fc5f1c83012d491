import Model

/// The objects the tests create.
enum Manifests {
  static func namespace(_ name: String) -> Value {
    ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]]
  }

  static func deployment(
    _ name: String, namespace: String, image: String, replicas: Int64,
    progressDeadlineSeconds: Int64? = nil
  ) -> Value {
    let labels: Value = ["app": .string(name)]
    var spec: Value = [
      "replicas": .int(replicas),
      "selector": ["matchLabels": labels],
      "template": [
        "metadata": ["labels": labels],
        "spec": ["containers": [["name": .string(name), "image": .string(image)]]],
      ],
    ]
    if let progressDeadlineSeconds {
      spec["progressDeadlineSeconds"] = .int(progressDeadlineSeconds)
    }
    return [
      "apiVersion": "apps/v1", "kind": "Deployment",
      "metadata": ["name": .string(name), "namespace": .string(namespace)],
      "spec": spec,
    ]
  }

  /// The condition of `type` in an object's status.
  static func condition(_ type: String, of object: Value?) -> Value? {
    object?[path: ["status", "conditions"]]?.arrayValue?.first {
      $0["type"]?.stringValue == type
    }
  }
}
