import ArgumentParser
import Controller
import Rollout

struct PauseCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pause",
    abstract: "Hold back new site changes of the fleet's rollouts until `wavesync resume`.",
    discussion:
      "Sites being applied finish and are verified; rollbacks still run; new rollouts start paused. Written to the Fleet's spec (spec.paused)."
  )

  @OptionGroup var clusters: ClusterOptions
  @OptionGroup var state: StateOptions

  func run() async throws {
    try await Wavesync.exitCodes {
      let objects = try state.objects(clusters)
      try await FleetControls.setPaused(true, objects: objects, client: objects.client)
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
      let objects = try state.objects(clusters)
      try await FleetControls.setPaused(false, objects: objects, client: objects.client)
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
      of the same revision, waits at its gates again. Written to the Fleet's spec \
      (spec.promotions).
      """)

  @OptionGroup var clusters: ClusterOptions
  @OptionGroup var state: StateOptions

  @Option(name: .long, help: "The wave to promote (default: the one waiting at its gate).")
  var wave: String?

  func run() async throws {
    try await Wavesync.exitCodes {
      let objects = try state.objects(clusters)
      do {
        let (name, revision) = try await FleetControls.promote(
          wave: wave, objects: objects, client: objects.client)
        print("promoted wave \(name) of \(shortRevision(revision))")
      } catch let refusal as PromotionRefusal {
        switch refusal {
        case .noRolloutInProgress: throw UserError("no rollout is in progress")
        case .unknownWave(let wave, let waves):
          throw UserError(
            "the rollout has no wave \(wave); its waves: " + waves.joined(separator: ", "))
        case .notAtGate(let revision):
          throw UserError(
            "the rollout of \(shortRevision(revision)) is not waiting at a gate; "
              + "give --wave to open a later gate ahead of time")
        }
      }
    }
  }
}
