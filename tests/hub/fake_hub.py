#!/usr/bin/env python3
"""A loopback stand-in for the Hugging Face hub, for the download tests.

Serves every folder under --root as a repository "org/name" (folder org--name):
  GET  /api/models/<org>/<name>/revision/<rev>   -> {"sha": ..., "siblings": [...]}
  HEAD /<org>/<name>/resolve/<rev>/<file>        -> 302 to /cdn/<sha256> with X-Linked-Etag and
                                                    X-Linked-Size for *.safetensors; 200 with an ETag otherwise
  GET  same                                      -> the redirect, or the file
  GET  /cdn/<sha256>                             -> the bytes, honouring Range
Behaviour switches (files in the repository folder, not served):
  .gated        -> 401 without "Authorization: Bearer secret-token"
  .corrupt      -> blobs served with one byte changed (the etag stays right)
  .drop_once    -> the first GET of each blob closes the connection halfway
It prints the port it listens on, then serves until killed. Loopback only.
"""
import argparse, hashlib, http.server, json, os, socketserver, sys

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def make_handler(root):
    dropped = set()
    log = open(os.path.join(root, "requests.log"), "a", buffering=1)

    class Hub(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            log.write("%s %s auth=%s range=%s\n" % (self.command, self.path,
                      self.headers.get("Authorization", ""), self.headers.get("Range", "")))

        def repo_dir(self, org, name):
            d = os.path.join(root, f"{org}--{name}")
            return d if os.path.isdir(d) else None

        def send(self, code, body=b"", headers=None):
            self.send_response(code)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def authorized(self, repo):
            if not os.path.exists(os.path.join(repo, ".gated")):
                return True
            return self.headers.get("Authorization") == "Bearer secret-token"

        def files(self, repo):
            out = []
            for base, _, names in os.walk(repo):
                for n in names:
                    if n.startswith("."):
                        continue
                    out.append(os.path.relpath(os.path.join(base, n), repo))
            return sorted(out)

        def do_HEAD(self):
            self.do_GET()

        def do_GET(self):
            parts = self.path.split("?")[0].strip("/").split("/")
            if parts[:2] == ["api", "models"] and len(parts) >= 6:
                repo = self.repo_dir(parts[2], parts[3])
                if not repo:
                    return self.send(404, b'{"error":"Repository not found"}')
                if not self.authorized(repo):
                    return self.send(401, b'{"error":"gated"}')
                body = json.dumps({"sha": COMMIT, "siblings": [{"rfilename": f} for f in self.files(repo)]}).encode()
                return self.send(200, body, {"Content-Type": "application/json"})
            if len(parts) >= 5 and parts[2] == "resolve":
                repo = self.repo_dir(parts[0], parts[1])
                path = os.path.join(repo, *parts[4:]) if repo else None
                if not repo or not os.path.isfile(path):
                    return self.send(404, b"Entry not found")
                if not self.authorized(repo):
                    return self.send(401, b"gated")
                data = open(path, "rb").read()
                if path.endswith(".safetensors"):
                    sha = hashlib.sha256(data).hexdigest()
                    blob = os.path.join(root, ".blobs", sha)
                    os.makedirs(os.path.dirname(blob), exist_ok=True)
                    served = bytearray(data)
                    if os.path.exists(os.path.join(repo, ".corrupt")):
                        served[len(served) // 2] ^= 0xFF
                    with open(blob, "wb") as f:
                        f.write(served)
                    if os.path.exists(os.path.join(repo, ".drop_once")):
                        open(blob + ".drop", "w").close()
                    return self.send(302, b"", {"Location": f"/cdn/{sha}", "X-Repo-Commit": COMMIT,
                                                "X-Linked-Etag": f'"{sha}"', "X-Linked-Size": str(len(data)),
                                                "ETag": '"not-the-lfs-etag"'})
                etag = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
                return self.send(200, data, {"ETag": f'"{etag}"', "X-Repo-Commit": COMMIT})
            if parts[0] == "cdn" and len(parts) == 2:
                blob = os.path.join(root, ".blobs", parts[1])
                if not os.path.isfile(blob):
                    return self.send(404, b"no such blob")
                data = open(blob, "rb").read()
                start = 0
                rng = self.headers.get("Range")
                if rng and rng.startswith("bytes="):
                    start = int(rng[6:].split("-")[0])
                if os.path.exists(blob + ".drop") and parts[1] not in dropped and self.command == "GET":
                    dropped.add(parts[1])
                    half = data[start:start + max(1, (len(data) - start) // 2)]
                    self.send_response(206 if start else 200)
                    self.send_header("Content-Length", str(len(data) - start))
                    self.end_headers()
                    self.wfile.write(half)
                    self.wfile.flush()
                    self.close_connection = True
                    return
                if start:
                    return self.send(206, data[start:], {"Content-Range": f"bytes {start}-{len(data)-1}/{len(data)}"})
                return self.send(200, data)
            self.send(404, b"not found")

    return Hub


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--root", required=True)
    p.add_argument("--port", type=int, default=0)
    a = p.parse_args()
    socketserver.TCPServer.allow_reuse_address = True

    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True

        def handle_error(self, request, client_address):
            # A client that hangs up mid-transfer is part of the tests, not an error.
            if not isinstance(sys.exc_info()[1], (ConnectionError, BrokenPipeError)):
                super().handle_error(request, client_address)

    with Server(("127.0.0.1", a.port), make_handler(a.root)) as server:
        print(server.server_address[1], flush=True)
        server.serve_forever()


if __name__ == "__main__":
    main()
