import Model

extension RolloutPolicy {
  private static let waveFields = [
    "maxConcurrent", "failureThreshold", "soak", "healthTimeout", "manualGate",
  ]

  static func read(_ reader: DocumentReader, at pointer: String) throws(RenderError)
    -> RolloutPolicy
  {
    guard reader.value(pointer) != nil else { return .default }
    try reader.onlyFields(
      pointer,
      ["uplinkBudget", "unreachableSites", "prestage", "prestageWaves", "defaults", "waves"])
    try reader.onlyFields(pointer + "/defaults", waveFields)
    let unreachableText = try reader.string(pointer + "/unreachableSites") ?? "countAsFailed"
    guard let unreachable = UnreachableSites(rawValue: unreachableText) else {
      throw reader.fail(
        pointer + "/unreachableSites",
        "expected countAsFailed or skip, found \"\(unreachableText)\"")
    }
    let defaults = pointer + "/defaults"
    var waves: [Wave] = []
    let entries = try reader.list(pointer + "/waves")
    guard !entries.isEmpty else { throw reader.fail(pointer + "/waves", "needs at least one wave") }
    for index in entries.indices {
      let at = "\(pointer)/waves/\(index)"
      try reader.onlyFields(at, ["name", "selector"] + waveFields)
      let name = try reader.requiredString(at + "/name")
      if waves.contains(where: { $0.name == name }) {
        throw reader.fail(at + "/name", "wave \"\(name)\" is listed twice")
      }
      /// The wave's own value, else the one in `defaults`, else `value`.
      func field<T>(
        _ key: String, default value: T, _ read: (String) throws(RenderError) -> T?
      ) throws(RenderError) -> T {
        if let own = try read(at + "/" + key) { return own }
        return try read(defaults + "/" + key) ?? value
      }
      func count(_ pointer: String) throws(RenderError) -> SiteCount? {
        try reader.parse(pointer, "a count or percentage", SiteCount.init(parsing:))
      }
      let maxConcurrent = try field("maxConcurrent", default: .count(1), count)
      if maxConcurrent.resolved(total: 1) == 0 && maxConcurrent == .count(0) {
        throw reader.fail(at + "/maxConcurrent", "must be at least 1")
      }
      waves.append(
        Wave(
          name: name, selector: try reader.selector(at + "/selector"), maxConcurrent: maxConcurrent,
          failureThreshold: try field("failureThreshold", default: .count(1), count),
          soakSeconds: try field("soak", default: 0) { pointer throws(RenderError) in
            try reader.duration(pointer, like: "5m")
          },
          healthTimeoutSeconds: try field("healthTimeout", default: 600) {
            pointer throws(RenderError) in try reader.duration(pointer, like: "10m")
          },
          manualGate: try field("manualGate", default: false, reader.bool)))
    }
    let prestage = try reader.bool(pointer + "/prestage") ?? false
    let prestageWaves = try reader.parse(pointer + "/prestageWaves", "a number of waves like 2") {
      Int($0).flatMap { $0 >= 1 ? $0 : nil }
    }
    if prestageWaves != nil && !prestage {
      throw reader.fail(pointer + "/prestageWaves", "needs prestage: true")
    }
    return RolloutPolicy(
      uplinkBudget: try reader.parse(
        pointer + "/uplinkBudget", "a rate like 200Mbps", BitRate.init(parsing:)),
      unreachableSites: unreachable, waves: waves, prestage: prestage,
      prestageWaves: prestageWaves ?? 1)
  }
}
