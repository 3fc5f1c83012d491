/// How large a repository revision and what is rendered from it may be, so a hostile commit is
/// refused with an error naming the file instead of exhausting memory. Every reader of a revision
/// (the CLI commands and the controller alike) uses `default`.
public struct RepositoryLimits: Sendable, Hashable {
  /// One file; Kubernetes itself refuses objects over about 1.5 MB.
  public var bytesPerFile: Int
  /// All files of one revision together.
  public var bytesPerRevision: Int
  /// The manifests rendered for one site, as YAML.
  public var renderedBytesPerSite: Int
  public var yaml: YAMLLimits

  public init(
    bytesPerFile: Int, bytesPerRevision: Int, renderedBytesPerSite: Int, yaml: YAMLLimits
  ) {
    self.bytesPerFile = bytesPerFile
    self.bytesPerRevision = bytesPerRevision
    self.renderedBytesPerSite = renderedBytesPerSite
    self.yaml = yaml
  }

  public static let `default` = RepositoryLimits(
    bytesPerFile: 8 << 20, bytesPerRevision: 128 << 20, renderedBytesPerSite: 32 << 20,
    yaml: .default)
}

/// The bytes of a revision's files, counted as they are read: a file over `bytesPerFile`, or one
/// that takes the revision over `bytesPerRevision`, is refused before it is read.
public struct RevisionByteCount: Sendable {
  public let limits: RepositoryLimits
  public private(set) var total = 0

  public init(limits: RepositoryLimits) { self.limits = limits }

  public mutating func admit(_ path: String, bytes: Int) throws(FileTreeError) {
    guard bytes <= limits.bytesPerFile else {
      throw .fileTooLarge(path: path, bytes: bytes, limit: limits.bytesPerFile)
    }
    total += bytes
    guard total <= limits.bytesPerRevision else {
      throw .revisionTooLarge(path: path, limit: limits.bytesPerRevision)
    }
  }
}
