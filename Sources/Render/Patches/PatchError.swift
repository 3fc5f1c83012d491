/// A patch that cannot be applied: where it failed and why.
///
/// Messages name operations, JSON pointers and field paths only, never values taken from the
/// target, because targets may be Secrets.
public struct PatchError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The JSON patch operation (`op 2 (replace /spec/replicas)`) or the field path of a strategic
  /// merge patch (`spec.template.spec.containers[0]`); empty when the whole object is meant.
  public var location: String
  /// Why the patch failed.
  public var reason: String

  public init(location: String, reason: String) {
    self.location = location
    self.reason = reason
  }

  public var description: String { location.isEmpty ? reason : "\(location): \(reason)" }
}
