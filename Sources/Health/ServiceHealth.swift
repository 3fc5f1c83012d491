/// A Service is current once applied, except one of type LoadBalancer, which waits for its load
/// balancer's address (`status.loadBalancer.ingress`).
enum ServiceHealth {
  static func health(of service: LiveObject) -> ObjectHealth {
    let type = service.string("spec", "type") ?? "ClusterIP"
    let ports = Int64(service.value[path: ["spec", "ports"]]?.arrayValue?.count ?? 0)
    guard type == "LoadBalancer" else {
      let address = service.string("spec", "clusterIP").map { " at \($0)" } ?? ""
      return .current(
        "ServiceReady", "a \(type) service\(address) with \(counted(ports, "port"))")
    }
    let ingress = service.value[path: ["status", "loadBalancer", "ingress"]]?.arrayValue ?? []
    guard !ingress.isEmpty else {
      return .inProgress(
        "LoadBalancerPending",
        "waiting for the load balancer of \(counted(ports, "port")) to get an address "
          + "(0 ingress points)")
    }
    let addresses = ingress.compactMap { $0["ip"]?.stringValue ?? $0["hostname"]?.stringValue }
    return .current(
      "LoadBalancerReady",
      "the load balancer has \(counted(Int64(ingress.count), "ingress point"))"
        + (addresses.isEmpty ? "" : ": " + addresses.joined(separator: ", ")))
  }
}
