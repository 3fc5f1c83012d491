import ArgumentParser

@main
struct Wavesync: AsyncParsableCommand {
  static let version = "0.1.0-dev"

  static let configuration = CommandConfiguration(
    commandName: "wavesync",
    abstract: "GitOps for edge fleets: render, diff and roll out a fleet repository, site by site.",
    discussion: """
      Exit codes: 0 success, 1 a problem with the input (named in the message), 2 an internal \
      error; `diff` exits 3 when there are changes, `rollout` and `rollback` 4 when rolled back, \
      `status` 5 when a fleet needs attention.
      """,
    version: version,
    subcommands: [
      RenderCommand.self, SitesCommand.self, DiffCommand.self, ApplyCommand.self,
      PlanCommand.self, RolloutCommand.self, HistoryCommand.self, RollbackCommand.self,
      PauseCommand.self, ResumeCommand.self, PromoteCommand.self, StatusCommand.self,
      InstallCommand.self, ControllerCommand.self, LocalFleetCommand.self, SimulateCommand.self,
    ])

  /// Runs a command body with Wavesync's exit codes: user errors 1, internal errors 2.
  static func exitCodes(_ body: () async throws -> Void) async throws {
    do {
      try await body()
    } catch let error as CleanExit {
      throw error
    } catch let error as ExitCode {
      throw error
    } catch {
      let (message, code) = CommandFailure.describe(error)
      printError("error: " + message)
      throw ExitCode(code)
    }
  }
}
