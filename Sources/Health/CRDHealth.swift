/// A CustomResourceDefinition is current once the API server serves it (`Established`), failed
/// when its names clash with another resource's (`NamesAccepted=False`).
enum CRDHealth {
  static func health(of definition: LiveObject) -> ObjectHealth {
    let plural = definition.string("spec", "names", "plural") ?? "?"
    let group = definition.string("spec", "group") ?? "?"
    let served = Int64(
      (definition.value[path: ["spec", "versions"]]?.arrayValue ?? []).filter {
        $0["served"]?.boolValue == true
      }.count)

    if let names = definition.condition("NamesAccepted"), names.isFalse {
      return .failed(
        names.reason ?? "NamesNotAccepted",
        "the names of \(plural).\(group) are not accepted\(names.quoted)")
    }
    if let established = definition.condition("Established"), established.isTrue {
      return .current(
        "Established", "\(plural).\(group) is served in \(counted(served, "version"))")
    }
    let established = definition.condition("Established")
    return .inProgress(
      "NotEstablished",
      "waiting for the API server to serve \(plural).\(group) "
        + "(\(counted(served, "version")) to serve)\(established?.quoted ?? "")")
  }
}
