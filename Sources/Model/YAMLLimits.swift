/// How much one YAML stream may make the parser build. A hostile file (nesting that exhausts the
/// stack, a "billion laughs" of aliases, millions of documents) is refused with an error at the
/// line where it crosses a limit, before it costs time or memory. Every reader of repository
/// files uses `default`.
public struct YAMLLimits: Sendable, Hashable {
  /// Mappings and lists nested inside one another.
  public var maxDepth: Int
  /// Values in one stream, every alias counted at the size of what it repeats.
  public var maxValues: Int
  /// How many more values aliases may repeat than the stream writes out itself. Aliases can then
  /// at most double what a file's bytes could hold anyway (plus this), whatever the number of files.
  public var aliasAllowance: Int
  /// Documents in one stream, empty ones included.
  public var maxDocuments: Int

  public init(maxDepth: Int, maxValues: Int, aliasAllowance: Int, maxDocuments: Int) {
    self.maxDepth = maxDepth
    self.maxValues = maxValues
    self.aliasAllowance = aliasAllowance
    self.maxDocuments = maxDocuments
  }

  /// Far beyond any real manifest (they nest a few dozen levels), and low enough that every
  /// recursive walk of a value (merging, emitting, hashing) stays well inside a thread's stack.
  public static let `default` = YAMLLimits(
    maxDepth: 1_000, maxValues: 1_000_000, aliasAllowance: 10_000, maxDocuments: 10_000)
}
