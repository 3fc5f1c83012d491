import Foundation

extension Kubeconfig {
  /// How to reach the cluster of a context (the current one when nil): server, CA, client
  /// certificate and key (data or files relative to the kubeconfig's folder), token or
  /// tokenFile, insecure-skip-tls-verify.
  public func connection(context: String? = nil) throws(KubeError) -> ClusterConnection {
    let (contextName, contextEntry) = try resolveContext(context)
    guard let clusterName = try contextEntry.string("cluster") else {
      throw .badConfig("\(contextEntry.file): \(contextEntry.location).cluster is not set")
    }
    guard let cluster = clusters[clusterName] else {
      throw .badConfig(
        "\(contextEntry.file): \(contextEntry.location).cluster names \"\(clusterName)\", "
          + "which no cluster in \(fileList) defines")
    }
    guard let server = try cluster.string("server") else {
      throw .badConfig("\(cluster.file): \(cluster.location).server is not set")
    }
    var connection = ClusterConnection(name: contextName, server: server)
    connection.certificateAuthorityData = try cluster.data(
      inline: "certificate-authority-data", file: "certificate-authority")
    connection.insecureSkipTLSVerify = try cluster.bool("insecure-skip-tls-verify")

    // A context without a user is allowed (kubectl sends no credentials then).
    guard let userName = try contextEntry.string("user") else { return connection }
    guard let user = users[userName] else {
      throw .badConfig(
        "\(contextEntry.file): \(contextEntry.location).user names \"\(userName)\", "
          + "which no user in \(fileList) defines")
    }
    try applyCredentials(of: user, to: &connection)
    return connection
  }

  /// The namespace a context selects, if any.
  public func namespace(context: String? = nil) throws(KubeError) -> String? {
    try resolveContext(context).entry.string("namespace")
  }

  private func resolveContext(
    _ requested: String?
  ) throws(KubeError) -> (name: String, entry: KubeconfigEntry) {
    guard let name = requested ?? currentContext else {
      throw .badConfig(
        "\(fileList): no current-context is set and no context was chosen "
          + "(defined: \(contextNames.joined(separator: ", ")))")
    }
    guard let entry = contexts[name] else {
      throw .badConfig(
        "\(fileList): context \"\(name)\" is not defined"
          + (contextNames.isEmpty ? "" : " (defined: \(contextNames.joined(separator: ", ")))"))
    }
    return (name, entry)
  }

  private func applyCredentials(
    of user: KubeconfigEntry, to connection: inout ClusterConnection
  ) throws(KubeError) {
    for unsupported in ["exec", "auth-provider"] where user.fields[unsupported] != nil {
      throw .badConfig(
        "\(user.file): \(user.location).\(unsupported): credential plugins are not supported; "
          + "use a token, tokenFile or client certificate")
    }
    connection.clientCertificateData = try user.data(
      inline: "client-certificate-data", file: "client-certificate")
    let key = try user.data(inline: "client-key-data", file: "client-key")
    connection.clientKeyData = key.map { KubeSecret(String(decoding: $0, as: UTF8.self)) }
    if (connection.clientCertificateData == nil) != (connection.clientKeyData == nil) {
      throw .badConfig(
        "\(user.file): \(user.location) has a client certificate or a client key, not both")
    }
    // As in client-go, a readable tokenFile wins over token (and is read again when it
    // changes); token is the fallback when the file cannot be read.
    let inline = try user.string("token").map(KubeSecret.init)
    if let tokenFile = try user.string("tokenFile") {
      do {
        connection.bearerTokenFile = try TokenFile(path: user.resolve(tokenFile))
      } catch {
        guard let inline else {
          throw .badConfig(
            "\(user.file): \(user.location).tokenFile: cannot read a token from "
              + "\(user.resolve(tokenFile)) (missing, unreadable or empty)")
        }
        connection.bearerToken = inline
      }
    } else {
      connection.bearerToken = inline
    }
  }
}
