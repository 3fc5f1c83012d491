import Model

/// `buildMetadata` of the top kustomization: what kustomize records about the build on the
/// objects it prints.
enum BuildMetadata: String, Sendable, CaseIterable {
  /// `config.kubernetes.io/origin`: the file each object was read from, or the generator that
  /// made it, relative to the top kustomization's folder.
  case originAnnotations
  /// `app.kubernetes.io/managed-by` on every object, with kustomize's version as kubectl reports
  /// it.
  case managedByLabel

  static let originKey = "config.kubernetes.io/origin"
  static let managedByKey = "app.kubernetes.io/managed-by"
  /// The value kubectl v1.32 writes (its embedded kustomize has no release version of its own).
  static let managedByValue = "kustomize-(devel)"

  /// The origin of an object read from `file`, as seen from the top folder `root`.
  static func origin(ofFile file: String, root: String) -> Value {
    .string(YAML.emit(.object(["path": .string(FilePath.relative(from: root, to: file))])))
  }

  /// The origin of an object a generator of the kustomization `file` made.
  static func origin(ofGenerator kind: String, in file: String, root: String) -> Value {
    .string(
      YAML.emit(
        .object([
          "configuredIn": .string(FilePath.relative(from: root, to: file)),
          "configuredBy": .object(["apiVersion": "builtin", "kind": .string(kind)]),
        ])))
  }
}
