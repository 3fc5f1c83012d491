public import LocalFleet

/// One fleet for a whole test suite, started by the first test that asks and left running to
/// the end of the test process (the fleet's watchdog stops its servers when the process exits).
public actor SharedEnvtestFleet {
  public let clusters: [String]
  private var started: EnvtestFleet?

  public init(clusters: [String]) {
    self.clusters = clusters
  }

  public func fleet() async throws -> EnvtestFleet {
    if let started { return started }
    let fleet = try await EnvtestFleet.start(clusters: clusters)
    started = fleet
    return fleet
  }
}
