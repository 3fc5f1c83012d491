import Model

/// Why a commit could not be rendered, naming the file (and line, or object) at fault.
/// A render either produces every object or fails with one of these: never a partial result.
public struct RenderError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The repository path of the file at fault, when one is.
  public var file: String?
  public var line: Int?
  /// The object at fault, as `Kind namespace/name`, when one is.
  public var object: String?
  public var message: String

  public init(file: String? = nil, line: Int? = nil, object: String? = nil, message: String) {
    self.file = file
    self.line = line
    self.object = object
    self.message = message
  }

  public var description: String {
    var place = file ?? ""
    if let line, file != nil { place += ":\(line)" }
    if let object { place += place.isEmpty ? object : " (\(object))" }
    return place.isEmpty ? message : "\(place): \(message)"
  }
}

extension RenderError {
  /// The documents of a file's text; a YAML error becomes a render error naming the file and
  /// line (`lineOffset` places text that starts inside another file, such as an inline patch).
  static func documents(
    _ text: String, file: String, rules: ScalarRules, lineOffset: Int = 0
  ) throws(RenderError) -> [YAMLDocument] {
    do {
      return try YAML.documents(from: text, file: file, rules: rules)
    } catch {
      throw RenderError(file: file, line: lineOffset + error.line, message: error.message)
    }
  }
}

extension RenderError {
  /// A failure reading `path` from a file tree. Tree errors name their own path (which may be a
  /// link on the way to it), so they are not prefixed a second time.
  static func reading(_ path: String, _ error: any Error) -> RenderError {
    if let error = error as? FileTreeError { return RenderError(message: error.description) }
    return RenderError(file: path, message: "\(error)")
  }
}
