public import Model

/// What a reconcile reads of a `Fleet`'s spec besides the source: suspend and rollbackTo.
public struct FleetSpecControls: Sendable, Hashable {
  public var generation: Int?
  public var suspended: Bool
  public var rollbackTo: String?

  public init(_ fleet: Value) {
    generation = fleet[path: ["metadata", "generation"]]?.intValue.map { Int($0) }
    suspended = fleet[path: ["spec", "suspend"]]?.boolValue ?? false
    rollbackTo = FleetControls.rollbackTarget(fleet)
  }
}
