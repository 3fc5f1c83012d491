public import Foundation

/// Cutting and restoring a running local fleet's links from another process, through a folder:
/// a file `<cluster>.cut` asks for that cluster's link to be cut, its absence for the link to be
/// up. The local fleet looks at the folder every `pollInterval` and, after each look, writes
/// `status` (a line `<cluster> up|cut` per linked cluster, replaced atomically).
public struct LinkControl: Sendable {
  public let directory: URL

  public init(directory: URL) { self.directory = directory }

  /// How often the running fleet looks for requests.
  public static let pollInterval: Duration = .milliseconds(200)
  static let statusFile = "status"
  static let requestSuffix = ".cut"

  /// What the running fleet last applied: cut or not, per linked cluster; nil when there is no
  /// status (no local fleet with links uses this folder).
  public func status() throws(LocalFleetError) -> [String: Bool]? {
    let file = directory.appendingPathComponent(Self.statusFile)
    guard FileManager.default.fileExists(atPath: file.path) else { return nil }
    let text: String
    do { text = try String(contentsOf: file, encoding: .utf8) } catch {
      throw LocalFleetError("cannot read \(file.path): \(error)")
    }
    var states: [String: Bool] = [:]
    for line in text.split(separator: "\n") {
      let fields = line.split(separator: " ")
      guard fields.count == 2, ["up", "cut"].contains(fields[1]) else {
        throw LocalFleetError("\(file.path): unexpected line \"\(line)\"")
      }
      states[String(fields[0])] = fields[1] == "cut"
    }
    return states
  }

  /// Asks the running fleet to cut (or restore) `cluster`'s link.
  public func request(cut: Bool, _ cluster: String) throws(LocalFleetError) {
    let file = directory.appendingPathComponent(cluster + Self.requestSuffix)
    do {
      if cut {
        try Data().write(to: file)
      } else if FileManager.default.fileExists(atPath: file.path) {
        try FileManager.default.removeItem(at: file)
      }
    } catch {
      throw LocalFleetError("cannot \(cut ? "write" : "remove") \(file.path): \(error)")
    }
  }

  /// The clusters whose cut is asked for now.
  func requestedCuts() throws(LocalFleetError) -> Set<String> {
    let names: [String]
    do { names = try FileManager.default.contentsOfDirectory(atPath: directory.path) } catch {
      throw LocalFleetError("cannot list \(directory.path): \(error)")
    }
    return Set(
      names.filter { $0.hasSuffix(Self.requestSuffix) }.map {
        String($0.dropLast(Self.requestSuffix.count))
      })
  }

  func writeStatus(_ links: FleetLinks) throws(LocalFleetError) {
    let text = links.clusters.map { cluster in
      "\(cluster) \(links.proxy(for: cluster)?.isCut == true ? "cut" : "up")\n"
    }.joined()
    let file = directory.appendingPathComponent(Self.statusFile)
    let staging = directory.appendingPathComponent(Self.statusFile + ".new")
    try write(text, to: staging, permissions: 0o644)
    guard rename(staging.path, file.path) == 0 else {
      throw LocalFleetError("cannot replace \(file.path): errno \(errno)")
    }
  }

  /// Makes the folder, clears requests left from an earlier fleet (they do not apply to this
  /// one) and writes the status of `links`.
  public func prepare(for links: FleetLinks) throws(LocalFleetError) {
    try createDirectory(directory)
    for cluster in try requestedCuts() { try request(cut: false, cluster) }
    try writeStatus(links)
  }

  /// Applies the requests to `links` until the task is cancelled: every `pollInterval`, the
  /// folder's requests, then `status`. A folder that cannot be read changes nothing (the links
  /// stay as they are) and is tried again.
  public func watch(_ links: FleetLinks) async throws {
    while !Task.isCancelled {
      try await Task.sleep(for: Self.pollInterval)
      let wanted = try? requestedCuts()
      guard let wanted else { continue }
      for cluster in links.clusters {
        guard let proxy = links.proxy(for: cluster), proxy.isCut != wanted.contains(cluster) else {
          continue
        }
        // cut() and restore() wait for the proxy's thread: not on the cooperative pool.
        let cut = !proxy.isCut
        try await blocking { cut ? proxy.cut() : proxy.restore() }
      }
      try writeStatus(links)
    }
  }

  /// Removes the status, the requests and then the folder if nothing else is in it (a folder
  /// given by the user may hold more), once the fleet stops.
  public func remove() {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    for name in names
    where name == Self.statusFile || name == Self.statusFile + ".new"
      || name.hasSuffix(Self.requestSuffix)
    {
      try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
    }
    // rmdir: only an empty folder goes.
    _ = rmdir(directory.path)
  }
}
