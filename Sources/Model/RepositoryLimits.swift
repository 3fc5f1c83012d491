/// How large a repository revision and what is rendered from it may be, so a hostile commit is
/// refused with an error naming the file instead of exhausting memory. Every reader of a revision
/// (the CLI commands and the controller alike) uses `default`.
public struct RepositoryLimits: Sendable, Hashable {
  /// One file; Kubernetes itself refuses objects over about 1.5 MB.
  public var bytesPerFile: Int
  /// All files of one revision together.
  public var bytesPerRevision: Int
  /// Files and symbolic links in one revision (an empty file costs no bytes, but memory all the same).
  public var filesPerRevision: Int
  /// Folders inside one another; each is a level of recursion where the tree is read.
  public var folderDepth: Int
  /// The manifests rendered for one site, as YAML.
  public var renderedBytesPerSite: Int
  public var yaml: YAMLLimits

  public init(
    bytesPerFile: Int, bytesPerRevision: Int, filesPerRevision: Int, folderDepth: Int,
    renderedBytesPerSite: Int, yaml: YAMLLimits
  ) {
    self.bytesPerFile = bytesPerFile
    self.bytesPerRevision = bytesPerRevision
    self.filesPerRevision = filesPerRevision
    self.folderDepth = folderDepth
    self.renderedBytesPerSite = renderedBytesPerSite
    self.yaml = yaml
  }

  public static let `default` = RepositoryLimits(
    bytesPerFile: 8 << 20, bytesPerRevision: 128 << 20, filesPerRevision: 100_000, folderDepth: 256,
    renderedBytesPerSite: 32 << 20, yaml: .default)
}

/// The files of a revision and their bytes, counted as they are read: a file over `bytesPerFile`,
/// or one that takes the revision over `bytesPerRevision` or `filesPerRevision`, is refused
/// before it is read.
public struct RevisionBudget: Sendable {
  public let limits: RepositoryLimits
  public private(set) var total = 0
  public private(set) var files = 0

  public init(limits: RepositoryLimits) { self.limits = limits }

  /// A folder about to be read, refused when it lies deeper than `folderDepth`.
  public func admitFolder(_ path: String) throws(FileTreeError) {
    guard path.split(separator: "/").count <= limits.folderDepth else {
      throw .foldersTooDeep(path: path, limit: limits.folderDepth)
    }
  }

  public mutating func admit(_ path: String, bytes: Int) throws(FileTreeError) {
    files += 1
    guard files <= limits.filesPerRevision else {
      throw .tooManyFiles(path: path, limit: limits.filesPerRevision)
    }
    guard bytes <= limits.bytesPerFile else {
      throw .fileTooLarge(path: path, bytes: bytes, limit: limits.bytesPerFile)
    }
    total += bytes
    guard total <= limits.bytesPerRevision else {
      throw .revisionTooLarge(path: path, limit: limits.bytesPerRevision)
    }
  }
}
