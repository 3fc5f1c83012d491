import Health
import Model
import Testing

/// An object as the API server returned it (trimmed to what matters), and the health it must
/// read as.
struct Recorded: Sendable, CustomTestStringConvertible {
  var name: String
  var yaml: String
  var status: HealthStatus
  var reason: String
  /// The whole message, when the test pins it; else only status and reason are checked.
  var message: String?

  init(
    _ name: String, _ status: HealthStatus, _ reason: String, message: String? = nil,
    _ yaml: String
  ) {
    self.name = name
    self.yaml = yaml
    self.status = status
    self.reason = reason
    self.message = message
  }

  var testDescription: String { name }

  func object() throws -> Value { try YAML.value(from: yaml, rules: .kubectl) }

  /// Reads the object and checks status, reason and (when pinned) message.
  func check(sourceLocation: SourceLocation = #_sourceLocation) throws {
    let health = Health.of(try object())
    #expect(health.status == status, "\(health)", sourceLocation: sourceLocation)
    #expect(health.reason == reason, "\(health)", sourceLocation: sourceLocation)
    if let message {
      #expect(health.message == message, sourceLocation: sourceLocation)
    }
    // Every message is one sentence of its own: no line breaks, not empty.
    #expect(
      !health.message.isEmpty && !health.message.contains("\n"), sourceLocation: sourceLocation)
  }
}

/// Health of one YAML object.
func health(_ yaml: String) throws -> ObjectHealth {
  Health.of(try YAML.value(from: yaml, rules: .kubectl))
}
