import Controller

/// What `wavesync status` read: each region (kubeconfig context) with its fleets, or why they
/// could not be read.
struct StatusReport: Sendable, Equatable {
  struct Region: Sendable, Equatable {
    var context: String
    /// nil: every namespace.
    var namespace: String?
    var outcome: Result<[FleetStatusEntry], FleetStatusReadError>
  }

  var regions: [Region]

  /// Exit 0: no fleet needs attention and every region was read. A region without Wavesync's
  /// resources has no fleet to worry about (a kubeconfig often holds clusters that are not
  /// regions), so it does not count.
  var allWell: Bool {
    regions.allSatisfy { region in
      switch region.outcome {
      case .success(let fleets): !fleets.contains { $0.needsAttention }
      case .failure(.notInstalled): true
      case .failure: false
      }
    }
  }
}
