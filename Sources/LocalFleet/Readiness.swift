import Foundation
import KubeClient
import Model

/// Bounded waits for the fleet's servers, failing early (with the log's tail) when the process
/// being waited for exits.
enum Readiness {
  struct NotYet: Error {
    var reason: String
  }

  /// Polls `check` every 250 ms until it returns without throwing, for at most `seconds`.
  static func wait(
    for process: ChildProcess, what: String, seconds: Double,
    _ check: () async throws -> Void
  ) async throws(LocalFleetError) {
    let deadline = Date().addingTimeInterval(seconds)
    var lastReason = "no answer yet"
    while true {
      guard process.isRunning else {
        throw LocalFleetError(
          "\(process.name) exited while waiting for \(what); the end of its log "
            + "(\(process.logFile.path)):\n\(process.logTail())")
      }
      do {
        try await check()
        return
      } catch let error as NotYet {
        lastReason = error.reason
      } catch {
        lastReason = String(describing: error)
      }
      guard Date() < deadline else {
        throw LocalFleetError(
          "\(what) not ready after \(Int(seconds)) s (last: \(lastReason)); the end of the log "
            + "of \(process.name) (\(process.logFile.path)):\n\(process.logTail())")
      }
      do { try await Task.sleep(for: .milliseconds(250)) } catch {
        throw LocalFleetError("cancelled while waiting for \(what)")
      }
    }
  }

  /// `GET path` answers 200. An unready `/readyz` or `/healthz` is reported by the checks it
  /// lists as failing (`poststarthook/rbac/bootstrap-roles`, `etcd`, ...).
  static func answersOK(_ client: KubeClient, _ path: String) async throws {
    let response = try await client.request("GET", path)
    guard response.status == 200 else {
      let failing = failingChecks(response.text)
      throw NotYet(
        reason: "GET \(path): HTTP \(response.status)"
          + (failing.isEmpty
            ? " \(response.text.prefix(300))"
            : ", checks not passing: \(failing.joined(separator: ", "))"))
    }
  }

  /// The checks a health endpoint's listing marks as failing: the names of its `[-]name failed`
  /// lines.
  static func failingChecks(_ listing: String) -> [String] {
    listing.split(whereSeparator: \.isNewline).compactMap { line in
      guard line.hasPrefix("[-]") else { return nil }
      let check = line.dropFirst(3).prefix { $0 != " " }
      return check.isEmpty ? nil : String(check)
    }
  }

  /// The `default` service account of the `default` namespace exists and has its token secret,
  /// which pods there need (ServiceAccount admission): the controller manager is at work.
  static func defaultServiceAccountHasToken(_ client: KubeClient) async throws {
    let path = "/api/v1/namespaces/default/serviceaccounts/default"
    let response = try await client.request("GET", path)
    guard response.status == 200 else {
      throw NotYet(reason: "GET \(path): HTTP \(response.status)")
    }
    let account = try JSON.decode(response.body)
    guard let secrets = account["secrets"]?.arrayValue, !secrets.isEmpty else {
      throw NotYet(reason: "the default service account has no token secret yet")
    }
  }
}
