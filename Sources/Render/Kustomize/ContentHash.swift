internal import Crypto
import Model

/// Kustomize's name suffix for generated ConfigMaps and Secrets: SHA-256 over the JSON of kind,
/// type, data and binaryData (with an empty name), 10 hex digits with vowel-like ones replaced,
/// so a content change gives the object, and every reference to it, a new name.
enum ContentHash {
  static func suffix(for object: Value) -> String {
    // Kustomize looks the name up under a key that never exists, so it always hashes "".
    var fields: [String: Value] = ["kind": object["kind"] ?? .null, "name": ""]
    fields["data"] = collection(object["data"]) ?? ""
    if object["kind"]?.stringValue == "Secret" {
      fields["type"] = object["type"].flatMap(\.stringValue).map(Value.string) ?? ""
      if let stringData = collection(object["stringData"]) { fields["stringData"] = stringData }
    } else if let binary = collection(object["binaryData"]) {
      fields["binaryData"] = binary
    }
    let json = JSON.encode(
      .object(.init(uniqueKeysWithValues: fields.sorted { $0.key < $1.key })), style: .go)
    let digest = SHA256.hash(data: Array(json.utf8))
    let hex = digest.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    let replacements: [Character: Character] = ["0": "g", "1": "h", "3": "k", "a": "m", "e": "t"]
    return String(hex.prefix(10).map { replacements[$0] ?? $0 })
  }

  private static func collection(_ value: Value?) -> Value? {
    switch value {
    case .object?, .array?: value
    default: nil
    }
  }
}

extension String {
  func leftPadded(to width: Int) -> String {
    String(repeating: "0", count: max(0, width - count)) + self
  }
}
