import Foundation

/// The fleet's secrets, made fresh for every fleet: a CA and a serving certificate for
/// 127.0.0.1 (every API server presents it; clients verify it against the CA), and one
/// administrator token (group system:masters) that every cluster accepts.
struct FleetCredentials: Sendable {
  var caCertificate: URL
  var caCertificatePEM: Data
  var servingCertificate: URL
  var servingKey: URL
  var tokenFile: URL
  var adminToken: String

  static let adminUser = "wavesync-admin"

  static func make(in directory: URL) throws(LocalFleetError) -> FleetCredentials {
    try createDirectory(directory)
    let caKey = directory.appendingPathComponent("ca.key")
    let caCertificate = directory.appendingPathComponent("ca.crt")
    let servingKey = directory.appendingPathComponent("serving.key")
    let servingRequest = directory.appendingPathComponent("serving.csr")
    let servingCertificate = directory.appendingPathComponent("serving.crt")
    let extensions = directory.appendingPathComponent("serving.ext")
    try OpenSSL.run(
      [
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
        "-subj", "/CN=wavesync-local-fleet-ca", "-keyout", caKey.path, "-out", caCertificate.path,
      ], in: directory)
    try OpenSSL.run(
      [
        "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
        "-keyout", servingKey.path, "-out", servingRequest.path,
      ], in: directory)
    try write(
      "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n"
        + "keyUsage=critical,digitalSignature,keyEncipherment\n",
      to: extensions)
    try OpenSSL.run(
      [
        "x509", "-req", "-in", servingRequest.path, "-CA", caCertificate.path,
        "-CAkey", caKey.path, "-set_serial", String(UInt32.random(in: 1...UInt32.max)),
        "-days", "30", "-extfile", extensions.path, "-out", servingCertificate.path,
      ], in: directory)

    let token = randomHex(bytes: 24)
    let tokenFile = directory.appendingPathComponent("tokens.csv")
    // token,user,uid,"group,..."
    try write("\(token),\(adminUser),\(adminUser),\"system:masters\"\n", to: tokenFile)
    let pem: Data
    do { pem = try Data(contentsOf: caCertificate) } catch {
      throw LocalFleetError("cannot read \(caCertificate.path): \(error)")
    }
    return FleetCredentials(
      caCertificate: caCertificate, caCertificatePEM: pem, servingCertificate: servingCertificate,
      servingKey: servingKey, tokenFile: tokenFile, adminToken: token)
  }

  /// A service-account signing key pair for one cluster: (private key, public key).
  static func makeServiceAccountKeys(in directory: URL) throws(LocalFleetError) -> (URL, URL) {
    try createDirectory(directory)
    let key = directory.appendingPathComponent("sa.key")
    let publicKey = directory.appendingPathComponent("sa.pub")
    try OpenSSL.run(["genrsa", "-out", key.path, "2048"], in: directory)
    try OpenSSL.run(["rsa", "-in", key.path, "-pubout", "-out", publicKey.path], in: directory)
    return (key, publicKey)
  }

  static func randomHex(bytes: Int) -> String {
    var generator = SystemRandomNumberGenerator()
    return (0..<bytes).map { _ in
      String(format: "%02x", UInt8.random(in: 0...255, using: &generator))
    }.joined()
  }
}

func createDirectory(_ directory: URL) throws(LocalFleetError) {
  do {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  } catch {
    throw LocalFleetError("cannot create \(directory.path): \(error)")
  }
}

func write(_ text: String, to file: URL, permissions: Int = 0o600) throws(LocalFleetError) {
  do {
    try Data(text.utf8).write(to: file)
    try FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: file.path)
  } catch {
    throw LocalFleetError("cannot write \(file.path): \(error)")
  }
}
