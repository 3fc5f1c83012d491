/// Why a local fleet could not start or a cluster could not be restarted.
public struct LocalFleetError: Error, Sendable, CustomStringConvertible {
  public var description: String

  public init(_ description: String) { self.description = description }
}
