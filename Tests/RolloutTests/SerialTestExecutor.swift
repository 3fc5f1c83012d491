// Runs the driver's tasks one job at a time on a thread of its own, and tells a test when every
// one of them is waiting: on the test clock, on a double the test holds, or on each other.
// Together with `TestClock` that makes a driver test exact: between two moves of the clock the
// driver has done everything it could, however slow the machine.
import Foundation
import Synchronization

final class SerialTestExecutor: TaskExecutor, Sendable {
  private struct State {
    var jobs: [UnownedJob] = []
    var running = false
    var idleWaiters: [CheckedContinuation<Void, Never>] = []
    var stopped = false
  }

  private let state = Mutex(State())
  private let wakeUp = NSCondition()

  init(name: String = "driver") {
    let thread = Thread { [self] in work() }
    thread.name = "SerialTestExecutor \(name)"
    thread.start()
  }

  func enqueue(_ job: consuming ExecutorJob) {
    let job = UnownedJob(job)
    wakeUp.lock()
    state.withLock { $0.jobs.append(job) }
    wakeUp.signal()
    wakeUp.unlock()
  }

  /// Returns once no job is queued or running: every task on this executor waits for something
  /// outside it.
  func idle() async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
      let isIdle = state.withLock { state in
        if state.jobs.isEmpty && !state.running { return true }
        state.idleWaiters.append(continuation)
        return false
      }
      if isIdle { continuation.resume() }
    }
  }

  /// Ends the thread once the jobs queued so far ran.
  func stop() {
    wakeUp.lock()
    state.withLock { $0.stopped = true }
    wakeUp.signal()
    wakeUp.unlock()
  }

  private func work() {
    while true {
      wakeUp.lock()
      var next: UnownedJob? = nil
      while true {
        let (job, stopped): (UnownedJob?, Bool) = state.withLock { state in
          guard !state.jobs.isEmpty else { return (nil, state.stopped) }
          state.running = true
          return (state.jobs.removeFirst(), false)
        }
        if let job {
          next = job
          break
        }
        if stopped {
          wakeUp.unlock()
          return
        }
        wakeUp.wait()
      }
      wakeUp.unlock()
      next?.runSynchronously(on: asUnownedTaskExecutor())
      let waiters: [CheckedContinuation<Void, Never>] = state.withLock { state in
        state.running = false
        guard state.jobs.isEmpty else { return [] }
        defer { state.idleWaiters = [] }
        return state.idleWaiters
      }
      for waiter in waiters { waiter.resume() }
    }
  }
}
