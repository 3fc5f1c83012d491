// A fleet's objects in memory, with resourceVersions and conditional writes as the API server
// keeps them: for tests of `FleetStateStore` at sizes a test cluster would take minutes to hold.
import Controller
import Foundation
import KubeClient
import Model
import Synchronization

final class MemoryFleetObjects: FleetObjects {
  struct Write: Sendable {
    var kind: String
    var name: String
    /// The object's size as JSON, as it would cross the wire.
    var bytes: Int
  }

  private struct State {
    var fleet: Value
    var sites: [String: Value] = [:]
    var version = 1
    var writes: [Write] = []
    var deletes: [String] = []
    /// Fail the Nth write from now on (counting from 1), as a crash would stop the store there.
    var failWrite: Int?
  }

  let namespace: String
  let fleetName: String
  private let state: Mutex<State>

  init(namespace: String = "wavesync-system", fleetName: String = "retail") {
    self.namespace = namespace
    self.fleetName = fleetName
    state = Mutex(
      State(fleet: [
        "apiVersion": "wavesync.io/v1alpha1", "kind": "Fleet",
        "metadata": [
          "name": .string(fleetName), "namespace": .string(namespace), "uid": "uid-1",
          "resourceVersion": "1",
        ],
        "spec": ["source": ["url": "https://git.example/fleet.git"]],
      ]))
  }

  var writes: [Write] { state.withLock { $0.writes } }
  var deletes: [String] { state.withLock { $0.deletes } }
  func resetWrites() { state.withLock { $0.writes = [] } }
  func failWrite(number: Int) { state.withLock { $0.failWrite = number } }

  /// An operator's change of the spec, bumping the resourceVersion.
  func changeSpec(_ change: @Sendable (inout Value) -> Void) {
    state.withLock { state in
      var spec = state.fleet["spec"] ?? [:]
      change(&spec)
      state.fleet["spec"] = spec
      state.version += 1
      state.fleet[path: ["metadata", "resourceVersion"]] = .string(String(state.version))
    }
  }

  func fleet() async throws(KubeError) -> Value? { state.withLock { $0.fleet } }

  func sites() async throws(KubeError) -> [Value] {
    state.withLock { Array($0.sites.values) }
  }

  func createSite(_ object: Value) async throws(KubeError) -> Value {
    try write(object, kind: "FleetSite") { state, name, given, stored throws(KubeError) in
      guard state.sites[name] == nil else { throw .conflict("FleetSite \(name) exists") }
      state.sites[name] = stored
    }
  }

  func replaceSite(_ object: Value) async throws(KubeError) -> Value {
    try write(object, kind: "FleetSite") { state, name, given, stored throws(KubeError) in
      guard let existing = state.sites[name] else { throw .notFound("FleetSite \(name)") }
      try Self.checkVersion(given, existing)
      state.sites[name] = stored
    }
  }

  func deleteSite(named name: String) async throws(KubeError) {
    state.withLock { state in
      state.sites[name] = nil
      state.deletes.append(name)
    }
  }

  func replaceFleetStatus(_ fleet: Value) async throws(KubeError) -> Value {
    try write(fleet, kind: "Fleet") { state, _, given, stored throws(KubeError) in
      try Self.checkVersion(given, state.fleet)
      var fleet = state.fleet
      fleet["status"] = given["status"]
      fleet["metadata"] = stored["metadata"]
      state.fleet = fleet
    }
  }

  private func write(
    _ object: Value, kind: String,
    _ store: (inout State, String, _ given: Value, _ stored: Value) throws(KubeError) -> Void
  ) throws(KubeError) -> Value {
    try state.withLock { state throws(KubeError) in
      if let countdown = state.failWrite {
        if countdown <= 1 {
          state.failWrite = nil
          throw .unreachable(cluster: "regional", reason: "connection refused")
        }
        state.failWrite = countdown - 1
      }
      let name = object[path: ["metadata", "name"]]?.stringValue ?? ""
      var stored = object
      stored[path: ["metadata", "resourceVersion"]] = .string(String(state.version + 1))
      try store(&state, name, object, stored)
      state.version += 1
      if kind == "Fleet" { stored = state.fleet }
      state.writes.append(Write(kind: kind, name: name, bytes: JSON.encode(object).utf8.count))
      return stored
    }
  }

  private static func checkVersion(_ object: Value, _ stored: Value) throws(KubeError) {
    let given = object[path: ["metadata", "resourceVersion"]]
    guard given == stored[path: ["metadata", "resourceVersion"]] else {
      throw .conflict("resourceVersion \(given?.stringValue ?? "none") is not the latest")
    }
  }
}
