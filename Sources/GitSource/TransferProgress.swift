/// libgit2's indexer counters during and after a fetch.
public struct TransferProgress: Sendable, Hashable {
  /// Objects in the pack being received.
  public var totalObjects: Int
  public var indexedObjects: Int
  public var receivedObjects: Int
  /// Objects taken from the local repository to complete a thin pack.
  public var localObjects: Int
  public var receivedBytes: Int

  public init(
    totalObjects: Int = 0, indexedObjects: Int = 0, receivedObjects: Int = 0,
    localObjects: Int = 0, receivedBytes: Int = 0
  ) {
    self.totalObjects = totalObjects
    self.indexedObjects = indexedObjects
    self.receivedObjects = receivedObjects
    self.localObjects = localObjects
    self.receivedBytes = receivedBytes
  }
}
