/// A Job is current once complete and failed once its controller gave up (`Failed` condition:
/// backoff limit or active deadline); in progress until then, also while suspended.
enum JobHealth {
  static func health(of job: LiveObject) -> ObjectHealth {
    let succeeded = job.count("succeeded")
    let failed = job.count("failed")
    let active = job.count("active")
    // Without `completions` any one success completes the job (a work queue).
    let progress =
      job.int("spec", "completions").map { "\(succeeded) of \(counted($0, "completion"))" }
      ?? "\(succeeded) \(succeeded == 1 ? "completion" : "completions")"

    if let failure = job.condition("Failed"), failure.isTrue {
      return .failed(
        failure.reason ?? "JobFailed",
        "the job failed with \(counted(failed, "failed pod")) and \(progress) done"
          + failure.quoted)
    }
    if let complete = job.condition("Complete"), complete.isTrue {
      return .current("JobComplete", "the job completed with \(progress) done")
    }
    if let suspended = job.condition("Suspended"), suspended.isTrue {
      return .inProgress("JobSuspended", "the job is suspended with \(progress) done")
    }
    return .inProgress(
      "JobRunning",
      "\(counted(active, "pod")) active, \(progress) done, \(failed) failed")
  }
}
