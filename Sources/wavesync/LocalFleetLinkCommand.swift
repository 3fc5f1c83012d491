import ArgumentParser
import Foundation
import LocalFleet

/// `wavesync local-fleet link cut|restore SITE`: asks the running `local-fleet --links` to cut
/// or restore a site's link, and waits until it has.
struct LocalFleetLinkCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "link",
    abstract: "Cut or restore the link to a site of a running `wavesync local-fleet --links`.",
    discussion: """
      Cut: the site's API server becomes unreachable through the kubeconfig (open connections \
      are reset, new ones too) while the site itself runs on. Restore: reachable again. Returns \
      once the local fleet has applied it (it looks every 0.2 s). Name the local fleet with \
      the --kubeconfig it wrote (default: $KUBECONFIG), or its --links-dir.
      """)

  enum Action: String, ExpressibleByArgument, CaseIterable {
    case cut, restore
  }

  @Argument(help: "cut or restore.")
  var action: Action

  @Argument(help: "The site's cluster, as given to local-fleet --sites.")
  var site: String

  /// `--kubeconfig` and `--links-dir` are local-fleet's own: they name the running fleet here too.
  @ParentCommand var localFleet: LocalFleetCommand

  /// How long the local fleet gets to apply the request: many times its polling interval.
  static let applySeconds = 10.0

  func run() async throws {
    try await Wavesync.exitCodes {
      let control = try self.control()
      guard let states = try Self.userError({ () throws(LocalFleetError) in try control.status() })
      else {
        throw UserError(
          "no local fleet with --links uses \(control.directory.path) (no status file there)")
      }
      guard states[site] != nil else {
        throw UserError(
          "\(site) has no link in the local fleet; linked sites: "
            + states.keys.sorted().joined(separator: ", "))
      }
      let cut = action == .cut
      try Self.userError { () throws(LocalFleetError) in try control.request(cut: cut, site) }
      let deadline = ContinuousClock.now + .seconds(Self.applySeconds)
      while ContinuousClock.now < deadline {
        if (try? control.status())?[site] == cut {
          print(cut ? "link to \(site) cut" : "link to \(site) restored")
          return
        }
        try await Task.sleep(for: .milliseconds(100))
      }
      throw UserError(
        "the local fleet did not \(action.rawValue) the link to \(site) within "
          + "\(Int(Self.applySeconds)) s; is it still running?")
    }
  }

  /// A problem with the links folder is the user's to fix, not the local fleet failing to run.
  private static func userError<T>(_ body: () throws(LocalFleetError) -> T) throws -> T {
    do { return try body() } catch { throw UserError(error.description) }
  }

  private func control() throws -> LinkControl {
    if let linksDir = localFleet.linkOptions.linksDir {
      return LinkControl(directory: URL(fileURLWithPath: linksDir))
    }
    guard
      let kubeconfig = localFleet.kubeconfig
        ?? ProcessInfo.processInfo.environment["KUBECONFIG"].flatMap({ $0.isEmpty ? nil : $0 })
    else {
      throw UserError("give --kubeconfig: the file local-fleet --kubeconfig wrote")
    }
    return LinkControl(
      directory: LocalFleetLinkOptions.controlDirectory(linksDir: nil, kubeconfig: kubeconfig))
  }
}
