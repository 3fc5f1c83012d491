/// A registry token service (the distribution "token" auth): Python's ThreadingHTTPServer
/// answering `GET /token?service=...&scope=...` for one user and password (HTTP basic auth)
/// with a JWT signed RS256 by `openssl dgst`, its certificate in the `x5c` header, granting
/// every scope asked for. The registry checks the signature against its root certificate
/// bundle. Arguments: user, password, key file, certificate file (PEM), issuer, port file. It
/// binds 127.0.0.1 on a kernel-chosen port and writes that port to the port file once
/// listening; each request is logged as `GET <path without query> <status> scopes=<n>`.
let registryTokenServerScript = #"""
  import base64, http.server, json, ssl, subprocess, sys, time, urllib.parse, uuid

  user, password, key_file, cert_file, issuer, port_file = sys.argv[1:7]
  with open(cert_file) as f:
      certificate_der = ssl.PEM_cert_to_DER_cert(f.read())


  def b64url(data):
      return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


  def token(service, scopes):
      access = []
      for scope in scopes:
          kind, _, rest = scope.partition(":")
          name, _, actions = rest.rpartition(":")
          access.append({"type": kind, "name": name, "actions": actions.split(",")})
      now = int(time.time())
      header = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(certificate_der).decode()]}
      claims = {"iss": issuer, "sub": user, "aud": service, "exp": now + 600, "nbf": now - 60,
                "iat": now, "jti": str(uuid.uuid4()), "access": access}
      signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
      signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key_file],
                                 input=signing_input.encode(), capture_output=True, check=True).stdout
      return signing_input + "." + b64url(signature)


  class Handler(http.server.BaseHTTPRequestHandler):
      def do_GET(self):
          url = urllib.parse.urlparse(self.path)
          query = urllib.parse.parse_qs(url.query)
          expected = "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()
          scopes = query.get("scope", [])
          if url.path != "/token" or self.headers.get("Authorization") != expected:
              self.answer(401, {"errors": [{"code": "UNAUTHORIZED", "message": "bad credentials"}]}, scopes)
              return
          self.answer(200, {"token": token(query.get("service", [""])[0], scopes), "expires_in": 600}, scopes)

      def answer(self, status, body, scopes):
          # Logged before answering: a test reading the log once its client has the answer
          # finds the line.
          sys.stderr.write("GET %s %d scopes=%d\n" % (urllib.parse.urlparse(self.path).path, status, len(scopes)))
          sys.stderr.flush()
          data = json.dumps(body).encode()
          self.send_response(status)
          self.send_header("Content-Type", "application/json")
          self.send_header("Content-Length", str(len(data)))
          self.end_headers()
          self.wfile.write(data)

      def log_message(self, fmt, *args):
          pass


  server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
  with open(port_file + ".tmp", "w") as f:
      f.write(str(server.server_address[1]))
  import os
  os.rename(port_file + ".tmp", port_file)
  server.serve_forever()
  """#
