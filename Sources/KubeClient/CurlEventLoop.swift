import CCurl
import CCurlShim
import Foundation
import Synchronization

/// Runs every transfer of the process on one dedicated thread with libcurl's multi interface,
/// so requests and long watches never block Swift's cooperative pool and a fleet of watches
/// costs sockets, not threads. Other threads only queue work and wake the loop; every call on
/// the multi handle happens on the loop's thread, as libcurl requires.
final class CurlEventLoop: @unchecked Sendable {
  static let shared = CurlEventLoop()

  private let multi: UnsafeMutableRawPointer
  private let inbox = Mutex(Inbox())
  /// Transfers curl is working on, by easy handle; touched only on the loop thread.
  private var running: [UnsafeMutableRawPointer: CurlTransfer] = [:]

  private struct Inbox {
    var started: [CurlTransfer] = []
    var cancelled: [CurlTransfer] = []
  }

  private init() {
    // Before any other curl call, and once: curl_global_init is not thread-safe everywhere.
    curl_global_init(Int(CURL_GLOBAL_ALL))
    guard let multi = curl_multi_init() else { fatalError("curl_multi_init failed") }
    self.multi = multi
    let thread = Thread { [unowned self] in self.run() }
    thread.name = "wavesync.curl"
    thread.start()
  }

  /// Starts a transfer; its completion runs on the loop thread, exactly once.
  func start(_ transfer: CurlTransfer) {
    inbox.withLock { $0.started.append(transfer) }
    curl_multi_wakeup(multi)
  }

  /// Stops a transfer early; it completes as cancelled unless it finished already.
  func cancel(_ transfer: CurlTransfer) {
    transfer.markCancelled()
    inbox.withLock { $0.cancelled.append(transfer) }
    curl_multi_wakeup(multi)
  }

  private func run() {
    while true {
      takeInbox()
      var stillRunning: Int32 = 0
      curl_multi_perform(multi, &stillRunning)
      collectFinished()
      // Idle: sleep until woken. Busy: curl shortens the wait to its own next timer.
      curl_multi_poll(multi, nil, 0, running.isEmpty ? 60_000 : 1_000, nil)
    }
  }

  private func takeInbox() {
    let work = inbox.withLock { inbox in
      defer { inbox = Inbox() }
      return inbox
    }
    for transfer in work.started {
      if transfer.isCancelled {
        transfer.finish(code: nil, cancelled: true)
      } else if curl_multi_add_handle(multi, transfer.easy) != CURLM_OK {
        transfer.finish(code: CURLE_FAILED_INIT)
      } else {
        running[transfer.easy] = transfer
      }
    }
    for transfer in work.cancelled {
      // A transfer may finish before its cancellation arrives, and malloc may then hand its
      // handle's address to a new transfer: only the very same transfer is stopped.
      guard running[transfer.easy] === transfer else { continue }
      running[transfer.easy] = nil
      curl_multi_remove_handle(multi, transfer.easy)
      transfer.finish(code: nil, cancelled: true)
    }
  }

  private func collectFinished() {
    var queued: Int32 = 0
    while let message = curl_multi_info_read(multi, &queued) {
      guard wavesync_curl_msg_is_done(message) != 0, let easy = message.pointee.easy_handle else {
        continue
      }
      let code = wavesync_curl_msg_result(message)
      guard let transfer = running.removeValue(forKey: easy) else { continue }
      curl_multi_remove_handle(multi, easy)
      transfer.finish(code: code)
    }
  }
}
