import Foundation
public import Logging
public import Registry

extension ImagePayloadEstimator: ImagePayloadEstimating {}

extension RegistrySettings {
  /// An estimator for these settings: one per Fleet configuration, so manifests stay cached
  /// across reconciles. Errors name the Secret's problem, never its content.
  public func estimator(logger: Logger = Logger(label: "wavesync.registry"))
    throws(FleetConfigurationError) -> ImagePayloadEstimator
  {
    guard let platform = Platform(parsing: platform) else {
      throw FleetConfigurationError("spec.registry.platform \(platform) is not os/architecture")
    }
    var credentials = RegistryCredentials.anonymous
    if let json = dockerConfigJSON {
      do {
        credentials = try RegistryCredentials(
          dockerConfigJSON: Data(json.utf8), source: "spec.registry.secretRef")
      } catch {
        throw FleetConfigurationError("\(error)")
      }
    }
    let configuration = RegistryClientConfiguration(
      platform: platform, credentials: credentials, plainHTTPRegistries: Set(plainHTTP))
    return ImagePayloadEstimator(
      client: RegistryClient(configuration: configuration, logger: logger))
  }
}
