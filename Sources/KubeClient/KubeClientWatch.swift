import Model

extension KubeClient {
  /// Changes to a kind, streamed as the server sends them (bookmarks included). When the server
  /// closes the stream the watch resumes from the last resourceVersion seen; on 410 Gone it
  /// lists afresh and reports the difference. Cancelling the consuming task (or dropping the
  /// stream) stops the transfer. The stream ends with an error after a few consecutive failed
  /// reconnections, or at once for a final one (forbidden, unknown kind).
  public func watch(
    apiVersion: String, kind: String, namespace: String? = nil, labelSelector: String? = nil,
    resourceVersion: String? = nil
  ) -> AsyncThrowingStream<WatchEvent, any Error> {
    let (stream, output) = AsyncThrowingStream<WatchEvent, any Error>.makeStream()
    let session = WatchSession(
      client: self, apiVersion: apiVersion, kind: kind, namespace: namespace,
      labelSelector: labelSelector, output: output)
    let task = Task {
      do {
        try await session.run(from: resourceVersion)
        output.finish()
      } catch {
        output.finish(throwing: error)
      }
    }
    output.onTermination = { _ in task.cancel() }
    return stream
  }
}
