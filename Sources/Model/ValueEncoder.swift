public import Foundation
import OrderedCollections

/// Encodes an `Encodable` straight into a `Value`, without going through JSON text: objects keep
/// the order their keys were encoded in, `nil` optionals are left out (as JSONEncoder does), and
/// dates are written by `dateValue`.
public struct ValueEncoder: Sendable {
  public var dateValue: @Sendable (Date) -> Value

  public init(dateValue: @escaping @Sendable (Date) -> Value) {
    self.dateValue = dateValue
  }

  public func encode(_ value: some Encodable) throws -> Value {
    let root = Slot()
    try encode(value, into: root, path: [])
    return root.value
  }

  fileprivate func encode(_ value: some Encodable, into slot: Slot, path: [any CodingKey]) throws {
    if let date = value as? Date {
      slot.value = dateValue(date)
      return
    }
    try value.encode(to: ValueEncoding(slot: slot, options: self, codingPath: path))
  }
}

/// A place a value is encoded into; containers fill theirs as they go.
private final class Slot {
  enum Content {
    case value(Value)
    case object(OrderedDictionary<String, Slot>)
    case array([Slot])
  }

  var content: Content = .value(.null)

  var value: Value {
    get {
      switch content {
      case .value(let value): value
      case .object(let entries): .object(entries.mapValues(\.value))
      case .array(let items): .array(items.map(\.value))
      }
    }
    set { content = .value(newValue) }
  }

  func child(_ key: String) -> Slot {
    var entries: OrderedDictionary<String, Slot>
    if case .object(let existing) = content { entries = existing } else { entries = [:] }
    if let known = entries[key] { return known }
    let slot = Slot()
    entries[key] = slot
    content = .object(entries)
    return slot
  }

  func makeObject() {
    if case .object = content { return }
    content = .object([:])
  }

  func append() -> Slot {
    var items: [Slot]
    if case .array(let existing) = content { items = existing } else { items = [] }
    let slot = Slot()
    items.append(slot)
    content = .array(items)
    return slot
  }

  func makeArray() {
    if case .array = content { return }
    content = .array([])
  }

  var count: Int {
    if case .array(let items) = content { return items.count }
    return 0
  }
}

private struct IndexKey: CodingKey {
  var intValue: Int?
  var stringValue: String { "\(intValue ?? 0)" }
  init(_ index: Int) { intValue = index }
  init?(stringValue: String) { nil }
  init?(intValue: Int) { self.intValue = intValue }
}

private struct ValueEncoding: Encoder {
  let slot: Slot
  let options: ValueEncoder
  var codingPath: [any CodingKey]
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
    slot.makeObject()
    return KeyedEncodingContainer(Keyed(slot: slot, options: options, codingPath: codingPath))
  }

  func unkeyedContainer() -> any UnkeyedEncodingContainer {
    slot.makeArray()
    return Unkeyed(slot: slot, options: options, codingPath: codingPath)
  }

  func singleValueContainer() -> any SingleValueEncodingContainer {
    Single(slot: slot, options: options, codingPath: codingPath)
  }
}

private struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
  let slot: Slot
  let options: ValueEncoder
  var codingPath: [any CodingKey]

  mutating func encodeNil(forKey key: Key) throws { slot.child(key.stringValue).value = .null }
  mutating func encode(_ value: Bool, forKey key: Key) throws {
    slot.child(key.stringValue).value = .bool(value)
  }
  mutating func encode(_ value: String, forKey key: Key) throws {
    slot.child(key.stringValue).value = .string(value)
  }
  mutating func encode(_ value: Double, forKey key: Key) throws {
    slot.child(key.stringValue).value = .double(value)
  }
  mutating func encode(_ value: Int, forKey key: Key) throws {
    slot.child(key.stringValue).value = .int(Int64(value))
  }
  mutating func encode(_ value: Int64, forKey key: Key) throws {
    slot.child(key.stringValue).value = .int(value)
  }
  mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
    try options.encode(value, into: slot.child(key.stringValue), path: codingPath + [key])
  }

  mutating func nestedContainer<NestedKey: CodingKey>(
    keyedBy keyType: NestedKey.Type, forKey key: Key
  ) -> KeyedEncodingContainer<NestedKey> {
    let child = slot.child(key.stringValue)
    child.makeObject()
    return KeyedEncodingContainer(
      Keyed<NestedKey>(slot: child, options: options, codingPath: codingPath + [key]))
  }

  mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
    let child = slot.child(key.stringValue)
    child.makeArray()
    return Unkeyed(slot: child, options: options, codingPath: codingPath + [key])
  }

  mutating func superEncoder() -> any Encoder {
    ValueEncoding(slot: slot.child("super"), options: options, codingPath: codingPath)
  }

  mutating func superEncoder(forKey key: Key) -> any Encoder {
    ValueEncoding(slot: slot.child(key.stringValue), options: options, codingPath: codingPath)
  }
}

private struct Unkeyed: UnkeyedEncodingContainer {
  let slot: Slot
  let options: ValueEncoder
  var codingPath: [any CodingKey]
  var count: Int { slot.count }

  mutating func encodeNil() throws { slot.append().value = .null }
  mutating func encode(_ value: Bool) throws { slot.append().value = .bool(value) }
  mutating func encode(_ value: String) throws { slot.append().value = .string(value) }
  mutating func encode(_ value: Double) throws { slot.append().value = .double(value) }
  mutating func encode(_ value: Int) throws { slot.append().value = .int(Int64(value)) }
  mutating func encode(_ value: Int64) throws { slot.append().value = .int(value) }
  mutating func encode<T: Encodable>(_ value: T) throws {
    let index = count
    try options.encode(value, into: slot.append(), path: codingPath + [IndexKey(index)])
  }

  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
    -> KeyedEncodingContainer<NestedKey>
  {
    let child = slot.append()
    child.makeObject()
    return KeyedEncodingContainer(
      Keyed<NestedKey>(slot: child, options: options, codingPath: codingPath))
  }

  mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
    let child = slot.append()
    child.makeArray()
    return Unkeyed(slot: child, options: options, codingPath: codingPath)
  }

  mutating func superEncoder() -> any Encoder {
    ValueEncoding(slot: slot.append(), options: options, codingPath: codingPath)
  }
}

private struct Single: SingleValueEncodingContainer {
  let slot: Slot
  let options: ValueEncoder
  var codingPath: [any CodingKey]

  mutating func encodeNil() throws { slot.value = .null }
  mutating func encode(_ value: Bool) throws { slot.value = .bool(value) }
  mutating func encode(_ value: String) throws { slot.value = .string(value) }
  mutating func encode(_ value: Double) throws { slot.value = .double(value) }
  mutating func encode(_ value: Float) throws { slot.value = .double(Double(value)) }
  mutating func encode(_ value: Int) throws { slot.value = .int(Int64(value)) }
  mutating func encode(_ value: Int8) throws { slot.value = .int(Int64(value)) }
  mutating func encode(_ value: Int16) throws { slot.value = .int(Int64(value)) }
  mutating func encode(_ value: Int32) throws { slot.value = .int(Int64(value)) }
  mutating func encode(_ value: Int64) throws { slot.value = .int(value) }
  mutating func encode(_ value: UInt) throws { slot.value = .uint(UInt64(value)) }
  mutating func encode(_ value: UInt8) throws { slot.value = .int(Int64(value)) }
  mutating func encode(_ value: UInt16) throws { slot.value = .int(Int64(value)) }
  mutating func encode(_ value: UInt32) throws { slot.value = .int(Int64(value)) }
  mutating func encode(_ value: UInt64) throws { slot.value = .uint(value) }
  mutating func encode<T: Encodable>(_ value: T) throws {
    try options.encode(value, into: slot, path: codingPath)
  }
}
