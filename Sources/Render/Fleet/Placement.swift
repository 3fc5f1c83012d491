internal import Foundation
import Model

/// The placement annotations an object can carry, read against one site. They are Wavesync's
/// instructions, not the cluster's, so they are removed from what the site receives.
public enum Placement {
  public static let placementKey = "edge.io/placement"
  public static let latencyKey = "edge.io/latency-requirement"
  public static let localityKey = "edge.io/data-locality"
  /// The site label that advertises the site's latency (e.g. `8ms`).
  public static let latencyLabel = "latency"
  public static let regionLabel = "region"
  public static let regionAnnotation = "edge.io/region"

  /// The object without placement annotations when it belongs on `site`, or `nil` when not.
  static func place(_ object: Value, on site: Site, file: String, objectLabel: String)
    throws(RenderError) -> Value?
  {
    let annotations = object[path: ["metadata", "annotations"]]?.objectValue ?? [:]
    func fail(_ key: String, _ message: String) -> RenderError {
      RenderError(file: file, object: objectLabel, message: "annotation \(key): \(message)")
    }
    if let rule = annotations[placementKey] {
      guard let text = rule.stringValue else { throw fail(placementKey, "must be a string") }
      let selector: LabelSelector
      do { selector = try Self.selector(text) } catch {
        throw fail(placementKey, error.description)
      }
      if !selector.matches(site.labels) { return nil }
    }
    if let rule = annotations[latencyKey] {
      guard let text = rule.stringValue, let limit = GoDuration.seconds(text) else {
        throw fail(latencyKey, "expected a duration like \"10ms\"")
      }
      guard let advertised = site.labels[latencyLabel].flatMap(GoDuration.seconds),
        advertised <= limit
      else {
        return nil
      }
    }
    if let rule = annotations[localityKey] {
      switch rule.stringValue {
      case "strict"?:
        let region =
          object[path: ["metadata", "labels", regionLabel]]?.stringValue
          ?? annotations[regionAnnotation]?.stringValue
        guard let region else {
          throw fail(
            localityKey,
            "\"strict\" needs the object's region: a \(regionLabel) label or \(regionAnnotation) annotation"
          )
        }
        if site.labels[regionLabel] != region { return nil }
      case "none"?: break
      default: throw fail(localityKey, "expected \"strict\" or \"none\"")
      }
    }
    var placed = object
    var remaining = annotations
    for key in [placementKey, latencyKey, localityKey] { remaining[key] = nil }
    if annotations.count != remaining.count {
      placed[path: ["metadata", "annotations"]] = remaining.isEmpty ? nil : .object(remaining)
    }
    return placed
  }

  /// `key:value` terms joined by commas (all must match), or a label selector.
  static func selector(_ text: String) throws(LabelSelectorError) -> LabelSelector {
    guard text.contains(":") else { return try LabelSelector(parsing: text) }
    let terms = text.split(separator: ",").map { term -> String in
      let parts = term.split(separator: ":", maxSplits: 1)
      return parts.count == 2
        ? parts[0].trimmingCharacters(in: .whitespaces) + "="
          + parts[1].trimmingCharacters(in: .whitespaces)
        : String(term)
    }
    return try LabelSelector(parsing: terms.joined(separator: ","))
  }
}
