import ArgumentParser
import Model

/// The share of the fleet a rollout covers: a regional controller's sites.
struct ScopeOptions: ParsableArguments {
  @Option(
    name: .long,
    help:
      "Only the sites whose labels match this label selector (for example region=emea); default: every site."
  )
  var selector: String?

  func scope() throws -> LabelSelector? {
    try selector.map { text throws in try LabelSelector(parsing: text) }
  }
}
