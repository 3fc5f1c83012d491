import Controller
import Foundation
import GitSource
import KubeClient
import LocalFleet
import Model
import Render
import Rollout
import Sync

/// How errors reach the terminal: a user's mistake (bad input, a missing site, a broken file)
/// exits 1 with a message naming it; anything else is an internal error and exits 2.
struct UserError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}

enum CommandFailure {
  static func describe(_ error: any Error) -> (message: String, code: Int32) {
    switch error {
    case let error as UserError: (error.description, 1)
    case let error as RenderError: (error.description, 1)
    case let error as GitSourceError: (error.description, 1)
    case let error as YAMLError: (error.description, 1)
    case let error as FileTreeError: (error.description, 1)
    case let error as LabelSelectorError: (error.description, 1)
    case let error as SyncError:
      if case .conflict = error {
        (error.description + "; apply with --force-conflicts to take them over", 1)
      } else {
        (error.description, 1)
      }
    case let error as KubeError: (error.description, 1)
    case let error as FleetStateStoreError:
      if case .notInstalled = error {
        (error.description + "; run `wavesync install` on the regional cluster", 1)
      } else {
        (error.description, 1)
      }
    case let error as RolloutDriverError: (error.description, 1)
    case let error as InstallError: (error.description, 1)
    case let error as LeaderElectionError: (error.description, 1)
    // The machine's problem (binaries, ports, servers that never became ready), not Wavesync's.
    case let error as LocalFleetError: ("the local fleet could not run: \(error.description)", 1)
    default: ("internal error: \(error)", 2)
    }
  }
}

func printError(_ message: String) {
  FileHandle.standardError.write(Data((message + "\n").utf8))
}
