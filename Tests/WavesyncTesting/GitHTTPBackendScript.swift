/// A small smart-HTTP Git server: Python's ThreadingHTTPServer in front of `git http-backend`
/// (CGI), with HTTP basic auth. Arguments: project root, user (`*`: any user), password, port
/// file, and optionally a PEM file (key and certificate) to serve HTTPS. It binds 127.0.0.1 on a
/// kernel-chosen port and writes that port to the port file once listening.
let gitHTTPBackendScript = #"""
  import base64, http.server, os, ssl, subprocess, sys, urllib.parse

  BACKEND = "/usr/lib/git-core/git-http-backend"
  root, user, password, port_file = sys.argv[1:5]


  def authorized(header):
      if not header or not header.startswith("Basic "):
          return False
      given_user, _, given_password = base64.b64decode(header[6:]).decode().partition(":")
      return given_password == password and (user == "*" or given_user == user)


  class Handler(http.server.BaseHTTPRequestHandler):
      def do_GET(self):
          self.serve_git()

      def do_POST(self):
          self.serve_git()

      def log_message(self, fmt, *args):
          sys.stderr.write("%s %s\n" % (self.command, fmt % args))
          sys.stderr.flush()

      def read_body(self):
          if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
              body = b""
              while True:
                  size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                  if size == 0:
                      self.rfile.readline()
                      return body
                  body += self.rfile.read(size)
                  self.rfile.readline()
          return self.rfile.read(int(self.headers.get("Content-Length") or 0))

      def serve_git(self):
          body = self.read_body()
          if not authorized(self.headers.get("Authorization")):
              self.send_response(401)
              self.send_header("WWW-Authenticate", 'Basic realm="git"')
              self.send_header("Content-Length", "0")
              self.end_headers()
              return
          path, _, query = self.path.partition("?")
          env = {
              "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
              "GIT_PROJECT_ROOT": root,
              "GIT_HTTP_EXPORT_ALL": "1",
              "GATEWAY_INTERFACE": "CGI/1.1",
              "SERVER_PROTOCOL": "HTTP/1.1",
              "REQUEST_METHOD": self.command,
              "PATH_INFO": urllib.parse.unquote(path),
              "QUERY_STRING": query,
              "CONTENT_TYPE": self.headers.get("Content-Type", ""),
              "CONTENT_LENGTH": str(len(body)),
              "REMOTE_USER": user,
              "REMOTE_ADDR": "127.0.0.1",
          }
          for header, variable in (
              ("Content-Encoding", "HTTP_CONTENT_ENCODING"),
              ("Git-Protocol", "HTTP_GIT_PROTOCOL"),
          ):
              if header in self.headers:
                  env[variable] = self.headers[header]
          result = subprocess.run(
              [BACKEND], input=body, env=env, capture_output=True, timeout=60
          )
          head, separator, payload = result.stdout.partition(b"\r\n\r\n")
          if not separator:
              head, separator, payload = result.stdout.partition(b"\n\n")
          status, reason, headers = 200, "OK", []
          for line in head.decode("latin-1").splitlines():
              name, _, value = line.partition(":")
              if name.strip().lower() == "status":
                  code, _, reason = value.strip().partition(" ")
                  status = int(code)
              elif name.strip():
                  headers.append((name.strip(), value.strip()))
          self.send_response(status, reason or None)
          for name, value in headers:
              self.send_header(name, value)
          self.send_header("Content-Length", str(len(payload)))
          self.end_headers()
          self.wfile.write(payload)


  server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
  if len(sys.argv) > 5:
      context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
      context.load_cert_chain(sys.argv[5])
      server.socket = context.wrap_socket(server.socket, server_side=True)
  with open(port_file + ".tmp", "w") as f:
      f.write(str(server.server_address[1]))
  os.rename(port_file + ".tmp", port_file)
  server.serve_forever()
  """#
