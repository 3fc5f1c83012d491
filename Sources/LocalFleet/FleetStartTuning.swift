/// How patiently a fleet's servers are started: the defaults serve the demo and the tests; tests
/// of the restart path turn them down and break the first tries on purpose.
struct FleetStartTuning: Sendable {
  /// How long a kube-apiserver gets to answer `/readyz` with 200 before it is started again.
  var apiServerReadySeconds = 120.0
  /// Starts of a kube-apiserver before the fleet gives up on it.
  var apiServerTries = 3
  /// The first this-many tries of every kube-apiserver are pointed at an etcd that refuses
  /// connections, so they never become ready.
  var triesWithUnreachableEtcd = 0

  static let standard = FleetStartTuning()
}
