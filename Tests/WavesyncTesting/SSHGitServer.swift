public import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A real OpenSSH server (`/usr/sbin/sshd`, Debian's `openssh-server`) on 127.0.0.1 that lets the
/// current user in with a key and serves the repositories under `basePath` as
/// `ssh://<user>@127.0.0.1:<port>/<absolute path>` (`git-upload-pack` runs as that user).
///
/// Everything it needs lives in `workDirectory`: its ed25519 host key, its config, pid file, log
/// and `authorized_keys`, and two authorized client keys, one plain and one with `passphrase`.
/// `knownHostsFile` lists its host key as OpenSSH writes it (`[127.0.0.1]:<port> ssh-ed25519 …`).
/// Startup waits are bounded; the server is stopped by `stop()` or when the value goes away.
public final class SSHGitServer {
  public static let sshd = "/usr/sbin/sshd"
  public static let sshKeygen = "/usr/bin/ssh-keygen"

  public let port: UInt16
  public let basePath: String
  /// The user the server lets in: the one running the tests.
  public let user: String
  /// An authorized ed25519 private key without a passphrase (`<path>.pub` beside it).
  public let clientKey: URL
  /// An authorized ed25519 private key encrypted with `passphrase`.
  public let passphraseKey: URL
  public let passphrase: String
  /// `[127.0.0.1]:<port> ssh-ed25519 <host key>`, one line.
  public let knownHostsFile: URL
  private let process: ServerProcess

  /// Makes the keys, then starts sshd on a free loopback port (a few ports are tried, in case
  /// another process grabs the chosen one first) and waits until it accepts connections.
  public init(basePath: String, workDirectory: URL) async throws {
    for tool in [Self.sshd, Self.sshKeygen]
    where !FileManager.default.isExecutableFile(atPath: tool) {
      throw ServerStartError(
        description: "\(tool) is missing: install openssh-server and openssh-client "
          + "(scripts/install-deps.sh does)")
    }
    let directory = workDirectory.appendingPathComponent("sshd", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let hostKey = directory.appendingPathComponent("ssh_host_ed25519_key")
    let clientKey = directory.appendingPathComponent("id_ed25519")
    let passphraseKey = directory.appendingPathComponent("id_ed25519_passphrase")
    try Self.makeKey(at: hostKey)
    try Self.makeKey(at: clientKey)
    let passphrase = "ssh-key-passphrase-7f3a"
    try Self.makeKey(at: passphraseKey, passphrase: passphrase)
    let authorizedKeys = directory.appendingPathComponent("authorized_keys")
    let authorized = try [clientKey, passphraseKey].map {
      try String(contentsOf: Self.publicKey(of: $0), encoding: .utf8)
    }
    try authorized.joined().write(to: authorizedKeys, atomically: true, encoding: .utf8)
    let user = try Self.currentUser()
    try Self.ensurePrivilegeSeparationDirectory()

    (port, process) = try await Self.start(
      in: directory, user: user, hostKey: hostKey, authorizedKeys: authorizedKeys)
    let hostPublicKey = try String(contentsOf: Self.publicKey(of: hostKey), encoding: .utf8)
      .split(separator: " ").prefix(2).joined(separator: " ")
    knownHostsFile = directory.appendingPathComponent("known_hosts")
    try "[127.0.0.1]:\(port) \(hostPublicKey)\n"
      .write(to: knownHostsFile, atomically: true, encoding: .utf8)
    self.basePath = basePath
    self.user = user
    self.clientKey = clientKey
    self.passphraseKey = passphraseKey
    self.passphrase = passphrase
  }

  private static func start(
    in directory: URL, user: String, hostKey: URL, authorizedKeys: URL
  ) async throws -> (UInt16, ServerProcess) {
    var lastError: any Error = ServerStartError(description: "sshd did not start")
    for attempt in 0..<3 {
      let port = try LoopbackPort.free()
      let config = directory.appendingPathComponent("sshd_config")
      try Self.config(
        port: port, user: user, hostKey: hostKey, authorizedKeys: authorizedKeys,
        pidFile: directory.appendingPathComponent("sshd.pid")
      ).write(to: config, atomically: true, encoding: .utf8)
      let process = try ServerProcess(
        sshd, ["-D", "-e", "-f", config.path],
        logFile: directory.appendingPathComponent("sshd-\(attempt).log"))
      do {
        try await process.waitUntil { LoopbackPort.accepts(port) }
        return (port, process)
      } catch {
        process.stop()
        lastError = error
      }
    }
    throw lastError
  }

  /// `ssh://<user>@127.0.0.1:<port>/<basePath>/<name>` for the repository at `basePath/name`.
  public func url(for name: String) -> String {
    let path = URL(fileURLWithPath: basePath).appendingPathComponent(name).path
    return "ssh://\(user)@127.0.0.1:\(port)\(path)"
  }

  /// What sshd has logged so far (connections, accepted and refused keys).
  public var log: String { process.log }

  public func stop() { process.stop() }

  deinit { process.stop() }

  /// Writes a new ed25519 key pair, `path` and `path.pub`; an empty `passphrase` leaves the
  /// private key unencrypted.
  public static func makeKey(at path: URL, passphrase: String = "") throws {
    try CommandRunner.run(
      sshKeygen,
      ["-q", "-t", "ed25519", "-N", passphrase, "-C", path.lastPathComponent, "-f", path.path])
  }

  public static func publicKey(of privateKey: URL) -> URL {
    URL(fileURLWithPath: privateKey.path + ".pub")
  }

  /// A config that needs nothing from /etc/ssh: public-key logins for `user` only, nothing else.
  private static func config(
    port: UInt16, user: String, hostKey: URL, authorizedKeys: URL, pidFile: URL
  ) -> String {
    """
    ListenAddress 127.0.0.1:\(port)
    AddressFamily inet
    HostKey \(hostKey.path)
    PidFile \(pidFile.path)
    AuthorizedKeysFile \(authorizedKeys.path)
    AuthenticationMethods publickey
    PubkeyAuthentication yes
    PasswordAuthentication no
    KbdInteractiveAuthentication no
    UsePAM no
    StrictModes no
    PermitRootLogin prohibit-password
    AllowUsers \(user)
    PermitUserEnvironment no
    PermitTTY no
    X11Forwarding no
    AllowTcpForwarding no
    AllowAgentForwarding no
    PrintMotd no
    UseDNS no
    LoginGraceTime 30
    LogLevel VERBOSE

    """
  }

  private static func currentUser() throws -> String {
    guard let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name else {
      throw ServerStartError(description: "no passwd entry for uid \(geteuid())")
    }
    return String(cString: name)
  }

  /// sshd started by root refuses to run without its privilege-separation directory, which a
  /// fresh container (no systemd to make it) lacks. Unprivileged, sshd does not use it.
  private static func ensurePrivilegeSeparationDirectory() throws {
    let path = "/run/sshd"
    guard geteuid() == 0, !FileManager.default.fileExists(atPath: path) else { return }
    try FileManager.default.createDirectory(
      atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
  }
}
