public import Model

/// Kubernetes strategic merge patches, applied the way `kubectl kustomize` (kustomize v5)
/// applies them to one object.
///
/// - Mappings merge recursively; a `null` in the patch deletes the field.
/// - Lists of built-in kinds merge where the Kubernetes schema gives a patch strategy (containers
///   by `name`, ports by `containerPort` and `protocol`, `finalizers` as a set, ...); all others,
///   and every list of a kind kustomize has no schema for (custom resources), are replaced.
/// - Merged lists are ordered as kustomize orders them: the patch's elements first, then the
///   target's others. Kustomize rebuilds merged lists the patch does not mention too (duplicate
///   keys collapse, a port without `protocol` absorbs the same port with one); so does this.
/// - `$patch: merge | replace | delete` works on mappings, on list elements and on whole lists
///   (an element holding only the directive); `$retainKeys` keeps only the named keys of the
///   target; `$deleteFromPrimitiveList/<field>` removes values from the target's list;
///   `$setElementOrder/<field>` is accepted and ignored.
///
/// Where kustomize mishandles a directive, the directive does what Kubernetes defines instead:
/// kustomize copies `$retainKeys`, `$deleteFromPrimitiveList/…`, `$setElementOrder/…` and
/// list-level `$patch` elements of lists it does not merge into its output, sees a list-level
/// directive only before any element-level one, ignores `$patch: replace` on a list element and
/// on the whole object, and collapses a list whose elements lack the merge key, losing some (here
/// an error, except for a list of one such element, which both keep as written). A patch list
/// naming one key twice has no defined result.
public enum StrategicMergePatch {
  /// Applies `patch` to the object `target` and returns the patched object, or `nil` when the
  /// patch's top level holds `$patch: delete`: the object is then to be removed.
  ///
  /// The target's `apiVersion` and `kind` (else the patch's) decide which lists merge. Nothing
  /// here protects the name, namespace or kind: the caller restores them if the patch must not
  /// change them, as kustomize does.
  public static func apply(_ patch: Value, to target: Value) throws(PatchError) -> Value? {
    guard case .object = patch else {
      throw PatchError(location: "", reason: "the patch is \(patch.typeDescription), not a mapping")
    }
    guard case .object = target else {
      throw PatchError(
        location: "", reason: "the target is \(target.typeDescription), not a mapping")
    }
    let merger = StrategicMerger(schema: schema(for: target) ?? schema(for: patch))
    return try merger.mergeMapping(patch, into: target, at: MergePath())
  }

  /// Whether the patch deletes the whole object it applies to (`apply` then returns `nil`).
  public static func isDeletePatch(_ patch: Value) -> Bool {
    patch[PatchDirective.key]?.stringValue == PatchDirective.delete.rawValue
  }

  private static func schema(for object: Value) -> PatchMergeKeys? {
    guard let apiVersion = object["apiVersion"]?.stringValue, let kind = object["kind"]?.stringValue
    else { return nil }
    return PatchMergeKeys(apiVersion: apiVersion, kind: kind)
  }
}
