public import Foundation

/// A throwaway self-signed certificate for 127.0.0.1, made with the `openssl` CLI.
public enum SelfSignedCertificate {
  /// Writes key and certificate into one PEM file in `directory` and returns its location.
  public static func make(in directory: URL) throws -> URL {
    let key = directory.appendingPathComponent("tls.key")
    let certificate = directory.appendingPathComponent("tls.crt")
    try CommandRunner.run(
      "/usr/bin/openssl",
      [
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
        "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key.path, "-out", certificate.path,
      ])
    let pem = directory.appendingPathComponent("tls.pem")
    try (try Data(contentsOf: key) + Data(contentsOf: certificate)).write(to: pem)
    return pem
  }
}
