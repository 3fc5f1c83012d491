public import Model

/// Writes out what older API servers' server-side apply needs spelled out, without changing what
/// the server stores:
/// - `protocol: TCP` in port lists: Service and container ports are keyed by port *and*
///   protocol, and before 1.21 an applied element without the protocol is refused ("associative
///   list with keys has an element that omits key field protocol"), although TCP is the default;
/// - resource quantities as strings (`cpu: 1` → `"1"`): the typed apply of 1.20 refuses a number
///   where the schema says quantity, though the API stores quantities as strings anyway.
public enum ApplyDefaults {
  private static let podSpecPaths: [[String]] = [
    ["spec"], ["spec", "template", "spec"], ["spec", "jobTemplate", "spec", "template", "spec"],
    ["template", "spec"],
  ]

  public static func fill(_ object: Value) -> Value {
    var result = object
    if object["kind"]?.stringValue == "Service" {
      result[path: ["spec", "ports"]] = withProtocol(object[path: ["spec", "ports"]])
    }
    for path in podSpecPaths {
      for list in ["containers", "initContainers"] {
        guard case .array(var containers)? = result[path: path + [list]] else { continue }
        for index in containers.indices {
          if let ports = containers[index]["ports"] {
            containers[index]["ports"] = withProtocol(ports)
          }
          for bound in ["limits", "requests"] {
            if let quantities = containers[index][path: ["resources", bound]] {
              containers[index][path: ["resources", bound]] = quantitiesAsStrings(quantities)
            }
          }
        }
        result[path: path + [list]] = .array(containers)
      }
    }
    return result
  }

  private static func quantitiesAsStrings(_ value: Value) -> Value {
    guard case .object(let entries) = value else { return value }
    return .object(
      entries.mapValues { quantity in
        switch quantity {
        case .int(let i): .string(String(i))
        case .uint(let u): .string(String(u))
        case .double(let d): .string(GoFloat.shortestG(d))
        default: quantity
        }
      })
  }

  private static func withProtocol(_ ports: Value?) -> Value? {
    guard case .array(let items)? = ports else { return ports }
    return .array(
      items.map { port in
        guard case .object = port, port["protocol"] == nil else { return port }
        var filled = port
        filled["protocol"] = "TCP"
        return filled
      })
  }
}
