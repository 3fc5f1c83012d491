import Foundation
import Model

/// The spec of a `coordination.k8s.io/v1` Lease as leader election reads and writes it.
struct LeaseRecord: Equatable, Sendable {
  /// Empty when nobody holds the lease (it was released, or never taken).
  var holder: String
  var durationSeconds: Int64
  /// MicroTime strings, kept as written: times on the lease are for people, never trusted for
  /// expiry (the clocks of other replicas may be skewed).
  var acquireTime: String?
  var renewTime: String?
  var transitions: Int64

  init(
    holder: String, durationSeconds: Int64, acquireTime: String?, renewTime: String?,
    transitions: Int64
  ) {
    self.holder = holder
    self.durationSeconds = durationSeconds
    self.acquireTime = acquireTime
    self.renewTime = renewTime
    self.transitions = transitions
  }

  /// Reads the spec of a Lease object; absent fields read as "no holder", zero.
  init(lease: Value) {
    let spec = lease["spec"]
    holder = spec?["holderIdentity"]?.stringValue ?? ""
    durationSeconds = spec?["leaseDurationSeconds"]?.intValue ?? 0
    acquireTime = spec?["acquireTime"]?.stringValue
    renewTime = spec?["renewTime"]?.stringValue
    transitions = spec?["leaseTransitions"]?.intValue ?? 0
  }

  var spec: Value {
    var spec: Value = [
      "leaseDurationSeconds": .int(durationSeconds), "leaseTransitions": .int(transitions),
    ]
    if !holder.isEmpty { spec["holderIdentity"] = .string(holder) }
    if let acquireTime { spec["acquireTime"] = .string(acquireTime) }
    if let renewTime { spec["renewTime"] = .string(renewTime) }
    return spec
  }

  /// `object` (as read, so with its resourceVersion: the write is conditional) with this spec.
  func written(over object: Value) -> Value {
    var object = object
    object["spec"] = spec
    return object
  }

  /// The API's MicroTime: `2006-01-02T15:04:05.000000Z`, in UTC.
  static func microTime(_ date: Date) -> String {
    let seconds = date.timeIntervalSince1970.rounded(.down)
    let micros = Int((date.timeIntervalSince1970 - seconds) * 1_000_000)
    let whole = Date(timeIntervalSince1970: seconds).formatted(Date.ISO8601FormatStyle())
    return whole.dropLast() + String(format: ".%06dZ", min(micros, 999_999))
  }
}
