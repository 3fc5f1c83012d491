import ArgumentParser
import Controller
import Rollout

struct PauseCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pause",
    abstract: "Hold back new site changes of the fleet's rollouts until `wavesync resume`.",
    discussion:
      "Sites being applied finish and are verified; rollbacks still run; new rollouts start paused."
  )

  @OptionGroup var clusters: ClusterOptions
  @OptionGroup var state: StateOptions

  func run() async throws {
    try await Wavesync.exitCodes {
      try await state.store(clusters).setPaused(true)
      print("paused: rollouts make no new site changes until `wavesync resume`")
    }
  }
}

struct ResumeCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "resume", abstract: "Let paused rollouts change sites again.")

  @OptionGroup var clusters: ClusterOptions
  @OptionGroup var state: StateOptions

  func run() async throws {
    try await Wavesync.exitCodes {
      try await state.store(clusters).setPaused(false)
      print("resumed")
    }
  }
}

struct PromoteCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "promote",
    abstract: "Open the manual gate of a wave of the rollout in progress.",
    discussion: """
      Without --wave, opens the gate the rollout waits at now. With --wave, opens that wave's \
      gate ahead of time. A promotion is for the rollout in progress only: a later rollout, even \
      of the same revision, waits at its gates again.
      """)

  @OptionGroup var clusters: ClusterOptions
  @OptionGroup var state: StateOptions

  @Option(name: .long, help: "The wave to promote (default: the one waiting at its gate).")
  var wave: String?

  func run() async throws {
    try await Wavesync.exitCodes {
      let store = try state.store(clusters)
      guard let record = try await store.load(), let active = record.active,
        let rollout = record.currentRolloutID
      else {
        throw UserError("no rollout is in progress")
      }
      let name: String
      if let wave {
        guard active.waves.contains(where: { $0.name == wave }) else {
          throw UserError(
            "the rollout has no wave \(wave); its waves: "
              + active.waves.map(\.name).joined(separator: ", "))
        }
        name = wave
      } else {
        guard case .waitingForPromotion(let index) = active.phase else {
          throw UserError(
            "the rollout of \(shortRevision(active.revision)) is not waiting at a gate; "
              + "give --wave to open a later gate ahead of time")
        }
        name = active.waves[index].name
      }
      try await store.promote(rollout: rollout, wave: name)
      print("promoted wave \(name) of \(shortRevision(active.revision))")
    }
  }
}
