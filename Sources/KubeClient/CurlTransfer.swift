import CCurl
import CCurlShim
import Foundation
import Synchronization

/// One libcurl easy handle, set up for one request. Its response state is touched only by
/// curl's callbacks and `finish`, all on the event loop's thread; `isCancelled` is locked.
final class CurlTransfer: @unchecked Sendable {
  let easy: UnsafeMutableRawPointer
  let summary: String
  private var headerList: UnsafeMutablePointer<curl_slist>?
  private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
  private var lines: LineSplitter?
  private let lineSink: AsyncStream<Data>.Continuation?
  private var completion: (@Sendable (TransferOutcome) -> Void)?
  private var outcome = TransferOutcome(curlCode: 0, curlMessage: "")
  private let cancelState = Mutex(false)
  private var finished = false

  /// nil when curl refuses an option (say, a blob option on a curl without blob support); the
  /// message names the option, never its value.
  init(
    request: HTTPRequest, settings: TransportSettings, lineSink: AsyncStream<Data>.Continuation?
  ) throws(TransferSetupError) {
    guard let easy = curl_easy_init() else {
      throw TransferSetupError(message: "curl_easy_init failed")
    }
    self.easy = easy
    self.summary = request.summary
    self.lineSink = lineSink
    if lineSink != nil { lines = LineSplitter() }
    errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    do {
      try configure(request, settings)
    } catch {
      curl_easy_cleanup(easy)
      finished = true
      throw error
    }
  }

  deinit {
    if !finished { curl_easy_cleanup(easy) }
    curl_slist_free_all(headerList)
    errorBuffer.deallocate()
  }

  var isCancelled: Bool { cancelState.withLock { $0 } }

  /// Marks the transfer cancelled; the event loop removes it (or never starts it).
  func markCancelled() { cancelState.withLock { $0 = true } }

  func onCompletion(_ completion: @escaping @Sendable (TransferOutcome) -> Void) {
    self.completion = completion
  }

  // MARK: Setup

  private func configure(_ request: HTTPRequest, _ settings: TransportSettings)
    throws(TransferSetupError)
  {
    try set(CURLOPT_URL, request.url ?? settings.url(for: request.path), "URL")
    // Threads and signals do not mix: no SIGALRM for DNS timeouts.
    try set(CURLOPT_NOSIGNAL, 1, "NOSIGNAL")
    // HTTP/1.1: one connection per watch keeps a throttled or stalled stream from holding up
    // the others multiplexed on a shared HTTP/2 connection.
    try set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1), "HTTP_VERSION")
    try set(CURLOPT_TCP_KEEPALIVE, 1, "TCP_KEEPALIVE")
    try set(CURLOPT_NOPROXY, TransportSettings.noProxy, "NOPROXY")
    try set(CURLOPT_ACCEPT_ENCODING, "", "ACCEPT_ENCODING")
    try setPointer(CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer), "ERRORBUFFER")
    try configureMethod(request)
    try configureHeaders(request, settings.connection)
    try configureTLS(settings.connection)
    try configureLimits(settings, timeoutSeconds: request.timeoutSeconds ?? settings.timeoutSeconds)
    try configureCallbacks()
  }

  private func configureMethod(_ request: HTTPRequest) throws(TransferSetupError) {
    switch request.method {
    case "GET": try set(CURLOPT_HTTPGET, 1, "HTTPGET")
    case "HEAD": try set(CURLOPT_NOBODY, 1, "NOBODY")
    default: try set(CURLOPT_CUSTOMREQUEST, request.method, "CUSTOMREQUEST")
    }
    guard request.method != "GET", request.method != "HEAD" else { return }
    guard let body = request.body else {
      if request.method == "POST" { try setBody(Data()) }
      return
    }
    try setBody(body)
  }

  /// The body is copied into curl (COPYPOSTFIELDS), which then sends it with whatever method
  /// CUSTOMREQUEST names.
  private func setBody(_ body: Data) throws(TransferSetupError) {
    try check(
      wavesync_curl_setopt_offset(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)),
      "POSTFIELDSIZE_LARGE")
    let code = body.withUnsafeBytes { bytes in
      // COPYPOSTFIELDS reads exactly POSTFIELDSIZE bytes; a zero-length body still needs a pointer.
      var empty: UInt8 = 0
      let pointer = bytes.baseAddress.map { UnsafeMutableRawPointer(mutating: $0) }
      return withUnsafeMutablePointer(to: &empty) {
        wavesync_curl_setopt_pointer(
          easy, CURLOPT_COPYPOSTFIELDS, pointer ?? UnsafeMutableRawPointer($0))
      }
    }
    try check(code, "COPYPOSTFIELDS")
  }

  private func configureHeaders(_ request: HTTPRequest, _ connection: ClusterConnection)
    throws(TransferSetupError)
  {
    let acceptsOwn = request.headers.contains { $0.lowercased().hasPrefix("accept:") }
    var headers = (acceptsOwn ? [] : ["Accept: application/json"]) + ["User-Agent: wavesync"]
    headers += request.headers
    if let contentType = request.contentType { headers.append("Content-Type: \(contentType)") }
    // curl would otherwise wait for "100 Continue" before sending large bodies.
    headers.append("Expect:")
    if let token = connection.bearerToken { headers.append("Authorization: Bearer \(token.value)") }
    for header in headers { headerList = curl_slist_append(headerList, header) }
    try check(wavesync_curl_setopt_slist(easy, CURLOPT_HTTPHEADER, headerList), "HTTPHEADER")
  }

  private func configureTLS(_ connection: ClusterConnection) throws(TransferSetupError) {
    if let ca = connection.certificateAuthorityData {
      try setBlob(CURLOPT_CAINFO_BLOB, ca, "CAINFO_BLOB")
      // Trust only the cluster's CA, as kubectl does, not the system bundle as well.
      try check(wavesync_curl_setopt_string(easy, CURLOPT_CAINFO, nil), "CAINFO")
      try check(wavesync_curl_setopt_string(easy, CURLOPT_CAPATH, nil), "CAPATH")
    }
    if let certificate = connection.clientCertificateData {
      try setBlob(CURLOPT_SSLCERT_BLOB, certificate, "SSLCERT_BLOB")
      try set(CURLOPT_SSLCERTTYPE, "PEM", "SSLCERTTYPE")
    }
    if let key = connection.clientKeyData {
      try setBlob(CURLOPT_SSLKEY_BLOB, Data(key.value.utf8), "SSLKEY_BLOB")
      try set(CURLOPT_SSLKEYTYPE, "PEM", "SSLKEYTYPE")
    }
    if connection.insecureSkipTLSVerify {
      try set(CURLOPT_SSL_VERIFYPEER, 0, "SSL_VERIFYPEER")
      try set(CURLOPT_SSL_VERIFYHOST, 0, "SSL_VERIFYHOST")
    }
  }

  private func configureLimits(
    _ settings: TransportSettings, timeoutSeconds: Double
  ) throws(TransferSetupError) {
    try set(
      CURLOPT_CONNECTTIMEOUT_MS, Int(settings.connectTimeoutSeconds * 1000), "CONNECTTIMEOUT_MS")
    try set(CURLOPT_TIMEOUT_MS, Int(timeoutSeconds * 1000), "TIMEOUT_MS")
    if let send = settings.limits?.maxSendBytesPerSecond {
      try check(
        wavesync_curl_setopt_offset(easy, CURLOPT_MAX_SEND_SPEED_LARGE, curl_off_t(send)),
        "MAX_SEND_SPEED_LARGE")
    }
    if let receive = settings.limits?.maxReceiveBytesPerSecond {
      try check(
        wavesync_curl_setopt_offset(easy, CURLOPT_MAX_RECV_SPEED_LARGE, curl_off_t(receive)),
        "MAX_RECV_SPEED_LARGE")
      // curl only pauses between reads, and one pass reads as much as its buffer takes, many
      // times over: with the default 16 kB buffer a 200 kB answer arrives in one burst, limit
      // or not. A buffer of about 1/200 s of the allowed rate keeps bursts short.
      try set(CURLOPT_BUFFERSIZE, Int(min(16_384, max(1_024, receive / 200))), "BUFFERSIZE")
    }
  }

  private func configureCallbacks() throws(TransferSetupError) {
    // The handle lives as long as the transfer object, which the event loop keeps while curl
    // may call back, so an unretained pointer is enough.
    let context = Unmanaged.passUnretained(self).toOpaque()
    try check(
      wavesync_curl_setopt_write_callback(easy, CURLOPT_WRITEFUNCTION, curlWrite), "WRITEFUNCTION")
    try setPointer(CURLOPT_WRITEDATA, context, "WRITEDATA")
    try check(
      wavesync_curl_setopt_write_callback(easy, CURLOPT_HEADERFUNCTION, curlHeader),
      "HEADERFUNCTION")
    try setPointer(CURLOPT_HEADERDATA, context, "HEADERDATA")
  }

  private func set(_ option: CURLoption, _ value: Int, _ name: String) throws(TransferSetupError) {
    try check(wavesync_curl_setopt_long(easy, option, value), name)
  }

  private func set(_ option: CURLoption, _ value: String, _ name: String) throws(TransferSetupError)
  {
    try check(wavesync_curl_setopt_string(easy, option, value), name)
  }

  private func setPointer(
    _ option: CURLoption, _ value: UnsafeMutableRawPointer, _ name: String
  ) throws(TransferSetupError) {
    try check(wavesync_curl_setopt_pointer(easy, option, value), name)
  }

  private func setBlob(_ option: CURLoption, _ data: Data, _ name: String)
    throws(TransferSetupError)
  {
    let code = data.withUnsafeBytes {
      wavesync_curl_setopt_blob(easy, option, $0.baseAddress, $0.count)
    }
    try check(code, name)
  }

  private func check(_ code: CURLcode, _ name: String) throws(TransferSetupError) {
    guard code != CURLE_OK else { return }
    throw TransferSetupError(
      message: "libcurl refused option \(name): \(String(cString: curl_easy_strerror(code)))")
  }

  // MARK: Callbacks (event loop thread)

  fileprivate func receiveBody(_ chunk: UnsafeRawBufferPointer) {
    if lineSink != nil, responseCode() == 200 {
      for line in lines!.append(chunk) { lineSink!.yield(line) }
    } else {
      outcome.body.append(contentsOf: chunk)
    }
  }

  fileprivate func receiveHeader(_ line: String) {
    // Each response (a redirect, a 100 Continue) starts with its status line.
    if line.hasPrefix("HTTP/") {
      outcome.headers = [:]
      return
    }
    guard let colon = line.firstIndex(of: ":") else { return }
    let name = line[..<colon].lowercased()
    let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
    outcome.headers[name] = value
  }

  private func responseCode() -> Int {
    var code = 0
    _ = wavesync_curl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &code)
    return code
  }

  // MARK: Completion (event loop thread)

  /// Collects the results, frees the handle and reports. Called once, after the handle left
  /// the multi handle (or never joined it).
  func finish(code: CURLcode?, cancelled: Bool = false) {
    guard !finished else { return }
    if cancelled {
      outcome.cancelled = true
      outcome.curlCode = Int(CURLE_ABORTED_BY_CALLBACK.rawValue)
      outcome.curlMessage = "request cancelled"
    } else if let code {
      outcome.curlCode = Int(code.rawValue)
      let detail = String(cString: errorBuffer)
      outcome.curlMessage = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
    }
    outcome.status = responseCode()
    var sent: curl_off_t = 0
    var received: curl_off_t = 0
    _ = wavesync_curl_getinfo_offset(easy, CURLINFO_SIZE_UPLOAD_T, &sent)
    _ = wavesync_curl_getinfo_offset(easy, CURLINFO_SIZE_DOWNLOAD_T, &received)
    outcome.bytesSent = Int64(sent)
    outcome.bytesReceived = Int64(received)
    if let last = lines?.finish() { lineSink?.yield(last) }
    lineSink?.finish()
    curl_easy_cleanup(easy)
    finished = true
    let completion = self.completion
    self.completion = nil
    completion?(outcome)
  }
}

struct TransferSetupError: Error {
  var message: String
}

private func curlWrite(
  _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int,
  _ context: UnsafeMutableRawPointer?
) -> Int {
  guard let context else { return 0 }
  let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
  transfer.receiveBody(UnsafeRawBufferPointer(start: data, count: size * count))
  return size * count
}

private func curlHeader(
  _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int,
  _ context: UnsafeMutableRawPointer?
) -> Int {
  guard let context, let data else { return 0 }
  let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
  let bytes = UnsafeRawBufferPointer(start: data, count: size * count)
  transfer.receiveHeader(String(decoding: bytes, as: UTF8.self))
  return size * count
}
