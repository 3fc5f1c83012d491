/// A YAML problem with the file and the 1-based line and column where it is.
public struct YAMLError: Error, Sendable, Hashable, CustomStringConvertible {
  public var file: String?
  public var line: Int
  public var column: Int
  public var message: String

  public init(file: String?, line: Int, column: Int, message: String) {
    self.file = file
    self.line = line
    self.column = column
    self.message = message
  }

  public var description: String { "\(file ?? "<input>"):\(line):\(column): \(message)" }
}
