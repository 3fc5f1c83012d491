import ArgumentParser
import Foundation
import LocalFleet
import Model
import Render

/// How `local-fleet` shapes the links to its sites: on with `--links`, each site's rates from its
/// `spec.link` and its latency from its `latency` label when `--repo` defines it, else from the
/// options.
struct LocalFleetLinkOptions: ParsableArguments {
  @Flag(
    name: .long,
    help:
      "Reach each site through a proxy that applies its link: rates, latency, and cuts on demand (`wavesync local-fleet link`)."
  )
  var links = false

  @Option(
    name: .long,
    help:
      "Downlink (region to site) of a site without spec.link.downlink, e.g. 20Mbps (default: unlimited)."
  )
  var downlink: String?

  @Option(
    name: .long,
    help:
      "Uplink (site to region) of a site without spec.link.uplink, e.g. 5Mbps (default: unlimited)."
  )
  var uplink: String?

  @Option(
    name: .long,
    help: "One-way latency of a site without a latency label, e.g. 300ms (default: none).")
  var latency: String?

  @Option(
    name: .long,
    help:
      "Folder through which `wavesync local-fleet link` cuts and restores links (default: the kubeconfig's path plus .links)."
  )
  var linksDir: String?

  /// Fails when a link option is given without `--links`.
  func requireLinksFlag(usingRepository: Bool) throws {
    guard !links else { return }
    let given = [
      ("--downlink", downlink), ("--uplink", uplink), ("--latency", latency),
      ("--links-dir", linksDir), ("--repo", usingRepository ? "" : nil),
    ].filter { $0.1 != nil }.map(\.0)
    if !given.isEmpty {
      throw UserError("\(given.joined(separator: ", ")) shape links: give --links too")
    }
  }

  static func controlDirectory(linksDir: String?, kubeconfig: String) -> URL {
    URL(fileURLWithPath: linksDir ?? kubeconfig + ".links")
  }

  /// Each cluster's link: from the site of `sites` whose context (or name) it is, else from the
  /// options.
  func settings(for clusters: [String], sites: [Site]) throws -> [String: LinkSettings] {
    let fallback = LinkSettings(
      downlinkBytesPerSecond: try downlink.map { try Self.rate($0, option: "--downlink") },
      uplinkBytesPerSecond: try uplink.map { try Self.rate($0, option: "--uplink") },
      latencyNanoseconds: try latency.map { try Self.nanoseconds($0, what: "--latency") } ?? 0)
    var settings: [String: LinkSettings] = [:]
    for cluster in clusters {
      guard let site = sites.first(where: { $0.context == cluster || $0.name == cluster }) else {
        settings[cluster] = fallback
        continue
      }
      var link = fallback
      if let rate = site.downlink { link.downlinkBytesPerSecond = Self.bytesPerSecond(rate) }
      if let rate = site.uplink { link.uplinkBytesPerSecond = Self.bytesPerSecond(rate) }
      if let label = site.labels[Placement.latencyLabel] {
        link.latencyNanoseconds = try Self.nanoseconds(
          label, what: "site \(site.name) (\(site.file)): label \(Placement.latencyLabel)")
      }
      settings[cluster] = link
    }
    return settings
  }

  private static func bytesPerSecond(_ rate: BitRate) -> Int64 { max(1, rate.bytesPerSecond) }

  private static func rate(_ text: String, option: String) throws -> Int64 {
    guard let rate = BitRate(parsing: text) else {
      throw UserError("\(option): expected a rate like 20Mbps, found \"\(text)\"")
    }
    return bytesPerSecond(rate)
  }

  private static func nanoseconds(_ text: String, what: String) throws -> UInt64 {
    // A latency beyond a minute is no link a rollout could use; it is a typo.
    guard let seconds = GoDuration.seconds(text), seconds >= 0, seconds <= 60 else {
      throw UserError(
        "\(what): expected a duration of at most a minute like 600ms, found \"\(text)\"")
    }
    return UInt64((seconds * 1e9).rounded())
  }

  /// `paris-opera: down 100Mbps, up 40Mbps, latency 12ms`, for the ready message.
  static func describe(_ cluster: String, _ link: LinkSettings) -> String {
    func rate(_ bytes: Int64?) -> String {
      bytes.map { BitRate(bitsPerSecond: $0 * 8).description } ?? "unlimited"
    }
    let milliseconds = Double(link.latencyNanoseconds) / 1e6
    let latency =
      milliseconds == milliseconds.rounded()
      ? String(Int64(milliseconds)) : String(format: "%.1f", milliseconds)
    return "\(cluster): down \(rate(link.downlinkBytesPerSecond)), "
      + "up \(rate(link.uplinkBytesPerSecond)), latency \(latency)ms"
  }
}
