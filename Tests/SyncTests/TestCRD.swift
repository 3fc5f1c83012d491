import Model

/// A namespaced CRD of one served version, for tests that need a custom kind.
enum TestCRD {
  static func definition(group: String, kind: String, plural: String, spec: Value) -> Value {
    [
      "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
      "metadata": ["name": .string("\(plural).\(group)")],
      "spec": [
        "group": .string(group), "scope": "Namespaced",
        "names": [
          "plural": .string(plural), "singular": .string(kind.lowercased()), "kind": .string(kind),
        ],
        "versions": [
          [
            "name": "v1", "served": true, "storage": true,
            "schema": ["openAPIV3Schema": ["type": "object", "properties": ["spec": spec]]],
          ]
        ],
      ],
    ]
  }
}
