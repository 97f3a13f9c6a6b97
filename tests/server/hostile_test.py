#!/usr/bin/env python3
"""csm-serve against hostile clients (issue #21), one scenario per attack:

  hostile_test.py SCENARIO   (threads | preauth | stream_ids | slowloris | upload_length |
                              header_bomb | http10_halfclose | auth | websocket)

Raw sockets and Python's standard library only, loopback only, every loop bounded
in count and time. Each scenario ends with the server still up and serving a
normal request. Environment as for serve_test.py (CSM_SERVE_BIN). Exit 0 pass, 1 fail.
"""
import base64
import json
import os
import resource
import signal
import socket
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_test as st  # noqa: E402  (Server, check, body, make_clip, wait_until)

from serve_test import Server, check, body, wait_until  # noqa: E402

KEY = "hostile-test-key"
SANITIZED = bool(os.environ.get("CSM_SERVE_SANITIZED"))  # no ulimit -v under a sanitizer's shadow memory


def address_space_limit(gib):
    if not SANITIZED:
        resource.setrlimit(resource.RLIMIT_AS, (int(gib * 2**30), int(gib * 2**30)))
AUTH = {"Authorization": "Bearer " + KEY}


def rss_kb(pid, field="VmRSS"):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def raw(port, data, timeout=10, shut_write=False):
    """Sends `data` on a fresh connection; everything until the server closes (or `timeout`)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(data)
    if shut_write:
        s.shutdown(socket.SHUT_WR)
    out = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    except (socket.timeout, ConnectionResetError):
        pass
    s.close()
    return out


def status_of(response):
    try:
        return int(response.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return 0


def speech_json(**kw):
    return json.dumps(body(max_audio_ms=kw.pop("max_audio_ms", 160), response_format="pcm", **kw)).encode()


def serves_normally(s, headers=None):
    st_, _, audio = s.speech(body(max_audio_ms=160, response_format="pcm"), headers=headers or {})
    return check(st_ == 200 and len(audio) == 2 * 1920 * 2, f"still serves a normal speech request ({st_})")


def health_within(port, seconds=1.0):
    t0 = time.monotonic()
    r = raw(port, b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", timeout=seconds + 1)
    return status_of(r) == 200 and time.monotonic() - t0 <= seconds


def raise_nofile(n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(max(soft, n), hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return want


# ---------------------------------------------------------------- 1: a thread per connection
def scenario_threads():
    """2,000 idle connections under a 2.4 GB address-space limit: no crash, /health answers."""
    n = 2000
    if raise_nofile(n + 200) < n + 100:
        print("cannot raise RLIMIT_NOFILE for 2,000 connections: skipped")
        return st.SKIP

    def limits():
        address_space_limit(2.4)
        hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))

    with Server("--max-connections", "4000", "--max-connections-per-ip", "4000", "--header-timeout-s", "30",
                preexec=limits) as s:
        before = rss_kb(s.proc.pid)
        socks = []
        t0 = time.monotonic()
        for _ in range(n):
            try:
                socks.append(socket.create_connection(("127.0.0.1", s.port), timeout=5))
            except OSError as e:
                print("  connect failed:", e)
                break
            if time.monotonic() - t0 > 60:
                break
        check(len(socks) == n, f"{len(socks)} idle connections open")
        time.sleep(0.5)
        check(s.proc.poll() is None, "the server is alive with them")
        check(health_within(s.port, 1.0), "/health answers within a second")
        grown = (rss_kb(s.proc.pid) - before) / 1024
        check(grown < 100, f"2,000 idle connections cost {grown:.0f} MB (< 100)")
        check(int(open(f"/proc/{s.proc.pid}/status").read().split("Threads:")[1].split()[0]) < 64,
              "no thread per connection")
        for c in socks:
            c.close()
        serves_normally(s)

    # Out of descriptors: the connections that cannot be taken wait or go; the server stays.
    def few_files():
        resource.setrlimit(resource.RLIMIT_NOFILE, (96, 96))
    with Server(preexec=few_files) as s:
        socks = []
        for _ in range(200):
            try:
                socks.append(socket.create_connection(("127.0.0.1", s.port), timeout=2))
            except OSError:
                break
        time.sleep(1.0)
        check(s.proc.poll() is None, f"alive with {len(socks)} connections on 96 descriptors")
        for c in socks:
            c.close()
        check(wait_until(lambda: health_within(s.port, 1.0), 15), "/health answers once they are gone")
        check("cannot accept a connection" in open(s.log_path).read(), "the failure is logged")
        serves_normally(s)


# ---------------------------------------------------------------- 2: memory before auth
def scenario_preauth():
    """Unauthenticated uploads: refused on the head, no body read, no 100 Continue, no memory kept."""
    voices = tempfile.mkdtemp(dir=st.BASE, prefix="voices-")
    with Server("--api-key", KEY, "--voices", voices) as s:
        r = raw(s.port, b"POST /v1/audio/voices HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                        b"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 12000000\r\n\r\n", timeout=3)
        check(status_of(r) == 401 and b"100 Continue" not in r, f"Expect: 100-continue without the key: 401 at once, no 100 ({r[:40]!r})")
        before = rss_kb(s.proc.pid)
        peak_growth = 0
        conns = []
        for _ in range(12):
            c = socket.create_connection(("127.0.0.1", s.port), timeout=5)
            c.sendall(b"POST /v1/audio/voices HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                      b"Content-Type: multipart/form-data; boundary=b\r\n\r\n")
            conns.append(c)
        chunk = b"%x\r\n" % (1 << 20) + b"a" * (1 << 20) + b"\r\n"
        refused = 0
        t_end = time.monotonic() + 10
        for _ in range(12):  # up to 12 MiB each
            for c in list(conns):
                try:
                    c.sendall(chunk)
                except OSError:
                    conns.remove(c)
                    refused += 1
            peak_growth = max(peak_growth, rss_kb(s.proc.pid) - before)
            if not conns or time.monotonic() > t_end:
                break
        for c in conns:
            try:
                head = c.recv(200)
                refused += status_of(head) == 401
            except OSError:
                refused += 1
            c.close()
        check(refused == 12, f"all 12 trickled bodies refused ({refused})")
        check(peak_growth / 1024 < 100, f"RSS grew {peak_growth / 1024:.0f} MB (< 100)")
        # The upload limit is only for an authorised POST on exactly /v1/audio/voices.
        big = b"x" * (200 * 1024)
        for target in (b"/v1/audio/voices/x", b"/v1/audio/voicesX", b"/v1/audio/speech"):
            r = raw(s.port, b"POST " + target + b" HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + KEY.encode() +
                    b"\r\nContent-Length: %d\r\n\r\n" % len(big) + big, timeout=5)
            check(status_of(r) in (405, 413), f"{target.decode()} with a 200 KiB body: the JSON limit ({status_of(r)})")
        check(s.proc.poll() is None and health_within(s.port), "alive")
        serves_normally(s, AUTH)


# ---------------------------------------------------------------- 3: stream ids
def open_sse(port, request_id, extra=b""):
    c = socket.create_connection(("127.0.0.1", port), timeout=20)
    b = json.dumps(body(max_audio_ms=20000, length_guard=0, response_format="pcm", stream_format="sse")).encode()
    c.sendall(b"POST /v1/audio/speech HTTP/1.1\r\nHost: x\r\nX-Request-Id: " + request_id + b"\r\n" + extra +
              b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(b) + b)
    data = b""
    while b"\r\n\r\n" not in data:
        data += c.recv(4096)
    head = data.split(b"\r\n\r\n")[0].decode()
    sid = next((line.split(": ", 1)[1] for line in head.split("\r\n") if line.lower().startswith("x-csm-stream-id:")), "")
    return c, sid, data


def scenario_stream_ids():
    """Another client's stream cannot be found: ids are random, X-Request-Id reaches nothing."""
    with Server() as s:
        a, sid_a, _ = open_sse(s.port, b"same")
        b_, sid_b, _ = open_sse(s.port, b"same")
        check(len(sid_a) == 36 and sid_a.startswith("str_") and sid_a != sid_b, f"random 128-bit ids ({sid_a}, {sid_b})")
        h = s.get("/health")[1]
        rid = h.get("x-request-id", "")
        guesses = ["same", rid, sid_a[:-1] + ("0" if sid_a[-1] != "0" else "1"), sid_a.upper(), sid_a + "0"]
        for base in (rid, sid_a):  # neighbours of every id a client sees
            if base[-8:].isalnum():
                try:
                    n = int(base[-8:], 16)
                    guesses += [base[:-8] + "%08x" % ((n + d) % 2**32) for d in (-2, -1, 1, 2)]
                except ValueError:
                    pass
        hits = [g for g in guesses if s.request("DELETE", "/v1/csm/streams/" + g)[0] != 404]
        check(not hits, f"no guessed id reaches a stream ({hits})")
        st_, _, b = s.request("POST", "/v1/csm/streams/same/sampling", {"temperature": 0.1})
        check(st_ == 404, "the shared X-Request-Id steers nothing")
        st_, _, b = s.request("POST", f"/v1/csm/streams/{sid_b}/sampling", {"temperature": 0.1, "top_k": 3})
        check(st_ == 200 and json.loads(b)["id"] == sid_b, "the owner's id steers its own stream")

        def events(c, seconds=3, until=None):
            c.settimeout(seconds)
            data = b""
            t0 = time.monotonic()
            try:
                while time.monotonic() - t0 < seconds and data.count(b"data: ") < 400:
                    data += c.recv(65536)
                    whole = data[:data.rfind(b"\n") + 1]
                    if (until in whole) if until else whole.count(b"\n\n") >= 4:
                        break
            except socket.timeout:
                pass
            # Whole lines only: the last one may still be on its way.
            return [json.loads(line[6:]) for line in data.split(b"\n")[:-1] if line.startswith(b"data: {")]
        # (Chunks made before the change are still in b's socket: read on until one shows it.)
        ea, eb = events(a, 30), events(b_, 30, until=b'"top_k":3')
        check(ea and all(e["csm"]["top_k"] != 3 for e in ea), f"the other client's stream kept its knobs ({len(ea)} events, top_k {sorted({e['csm']['top_k'] for e in ea})})")
        check(eb and eb[-1]["csm"]["top_k"] == 3, "the changed stream shows the change")
        check(all(e["csm"]["stream_id"] == sid_a for e in ea), "every event names its own stream")
        a.close()
        b_.close()
        serves_normally(s)


# ---------------------------------------------------------------- 4: slowloris
def scenario_slowloris():
    """60 half-sent heads on 60 slots: /health still answers at once; the trickle is cut at the deadline."""
    with Server("--max-connections", "60", "--header-timeout-s", "3") as s:
        socks = []
        for _ in range(60):
            c = socket.create_connection(("127.0.0.1", s.port), timeout=5)
            c.sendall(b"GET /v1/models HTTP/1.1\r\nHost: x\r\n")
            socks.append(c)
        # One address holds at most 3/4 of the slots: another address is still served in full.
        other = socket.socket()
        other.settimeout(5)
        other.bind(("127.0.0.2", 0))
        other.connect(("127.0.0.1", s.port))
        other.sendall(b"GET /v1/models HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        r = b""
        while True:
            chunk = other.recv(65536)
            if not chunk:
                break
            r += chunk
        other.close()
        check(status_of(r) == 200, f"another address gets a normal slot ({r[:30]!r})")
        r = raw(s.port, b"GET /v1/models HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", timeout=3)
        check(status_of(r) == 503 and b"too_many_connections" in r, f"the crowding address: 503 beyond its share ({r[:30]!r})")
        t0 = time.monotonic()
        answered, cut = 0, 0
        probes = 0
        while time.monotonic() - t0 < 5:
            for c in list(socks):
                try:
                    c.sendall(b"X")  # a byte now and then
                except OSError:
                    socks.remove(c)
                    cut += 1
            probes += 1
            answered += health_within(s.port, 1.0)
            time.sleep(0.3)
        check(answered == probes, f"/health answered within a second every time ({answered}/{probes})")
        dead = 0
        for c in socks:
            try:
                c.settimeout(2)
                dead += c.recv(100) == b""
            except OSError:
                dead += 1
            c.close()
        check(cut + dead == 60, f"trickling did not extend the 3 s head deadline ({cut + dead}/60 cut)")
        serves_normally(s)


# ---------------------------------------------------------------- 5: uploads with a Content-Length
def multipart(fields, boundary=b"hostileboundary"):
    out = b""
    for name, value, filename in fields:
        out += b"--" + boundary + b"\r\nContent-Disposition: form-data; name=\"" + name + b"\""
        if filename:
            out += b"; filename=\"" + filename + b"\"\r\nContent-Type: application/octet-stream"
        out += b"\r\n\r\n" + value + b"\r\n"
    return out + b"--" + boundary + b"--\r\n", b"multipart/form-data; boundary=" + boundary


def scenario_upload_length():
    """A 2 MB clip with a Content-Length is stored; a 1e9 Content-Length is a 413 at once."""
    voices = tempfile.mkdtemp(dir=st.BASE, prefix="voices-")
    clip = os.path.join(voices, "..", "clip.wav")
    st.make_clip(clip, seconds=40.0, rate=24000)  # ~1.9 MB
    data = open(clip, "rb").read()
    check(len(data) > 1 << 20, f"the clip is over 1 MiB ({len(data)})")
    with Server("--voices", voices, "--api-key", KEY) as s:
        b, ctype = multipart([(b"name", b"big", None), (b"transcript", b"Hello there.", None), (b"file", data, b"clip.wav")])
        r = raw(s.port, b"POST /v1/audio/voices HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer " +
                KEY.encode() + b"\r\nContent-Type: " + ctype + b"\r\nContent-Length: %d\r\n\r\n" % len(b) + b, timeout=120)
        check(status_of(r) == 201, f"a {len(b) >> 20} MB upload with a Content-Length: 201 ({r[:200]!r})")
        t0 = time.monotonic()
        r = raw(s.port, b"POST /v1/audio/voices HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + KEY.encode() +
                b"\r\nContent-Type: " + ctype + b"\r\nContent-Length: 1000000000\r\n\r\n", timeout=5)
        check(status_of(r) == 413 and time.monotonic() - t0 < 2, f"Content-Length 1e9: 413 at once ({r[:60]!r})")
        r = raw(s.port, b"POST /v1/audio/voices HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + KEY.encode() +
                b"\r\nExpect: 100-continue\r\nContent-Type: " + ctype + b"\r\nContent-Length: 1000000000\r\n\r\n", timeout=5)
        check(status_of(r) == 413 and b"100 Continue" not in r, "with Expect: 100-continue too, and no 100")
        check(not [f for f in os.listdir(voices) if f.startswith(".upload-")], "no temporary file left")
        # Even with the key, only a few upload bodies (each up to --max-upload-bytes) are held at once.
        head = (b"POST /v1/audio/voices HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + KEY.encode() +
                b"\r\nContent-Type: " + ctype + b"\r\nTransfer-Encoding: chunked\r\n\r\n")
        held = []
        for _ in range(4):
            c = socket.create_connection(("127.0.0.1", s.port), timeout=5)
            c.sendall(head + b"10\r\n" + b"x" * 16 + b"\r\n")
            held.append(c)
        time.sleep(0.3)
        r = raw(s.port, head, timeout=3)
        check(status_of(r) == 503 and b"Retry-After" in r, f"a 5th upload at once: 503 with Retry-After ({r[:40]!r})")
        for c in held:
            c.close()
        time.sleep(0.3)
        b2, ctype2 = multipart([(b"name", b"after", None), (b"transcript", b"Hello there.", None), (b"file", data[:200000], b"c.wav")])
        st_, _, _ = s.request("POST", "/v1/audio/voices", b2, headers=dict(AUTH, **{"Content-Type": ctype2.decode()}))
        check(st_ in (201, 400), f"their places are free again ({st_})")
        serves_normally(s, AUTH)


# ---------------------------------------------------------------- 6: audio header bomb
def flac_bomb():
    rate, channels, bits, frames = 655350, 8, 16, 60 * 655350 - 1
    packed = (rate << 44) | ((channels - 1) << 41) | ((bits - 1) << 36) | frames
    return b"fLaC\x80\x00\x00\x22" + b"\x10\x00\x10\x00" + b"\x00" * 6 + packed.to_bytes(8, "big") + b"\x00" * 16


def scenario_header_bomb():
    """A 42-byte FLAC claiming 8 ch x 655 kHz x 60 s: a 400, peak RSS +< 300 MB, no temporary file."""
    voices = tempfile.mkdtemp(dir=st.BASE, prefix="voices-")
    with Server("--voices", voices) as s:
        time.sleep(0.5)
        peak_before = rss_kb(s.proc.pid, "VmHWM")
        bomb = flac_bomb()
        check(len(bomb) == 42, "a 42-byte header")
        b, ctype = multipart([(b"name", b"bomb", None), (b"transcript", b"Hi.", None), (b"file", bomb, b"b.flac")])
        r = raw(s.port, b"POST /v1/audio/voices HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: " + ctype +
                b"\r\nContent-Length: %d\r\n\r\n" % len(b) + b, timeout=60)
        check(status_of(r) == 400 and b"invalid_audio" in r, f"refused with a message ({r[:200]!r})")
        grown = (rss_kb(s.proc.pid, "VmHWM") - peak_before) / 1024
        check(grown < 300, f"peak RSS grew {grown:.0f} MB (< 300)")
        check(not [f for f in os.listdir(voices) if f.startswith(".upload-")], "no .upload-* left behind")
        serves_normally(s)

    # Under a memory limit the bomb (or anything) is an answer, never a dropped connection.
    def limit():
        address_space_limit(2.4)
    with Server("--voices", voices, preexec=limit) as s:
        r = raw(s.port, b"POST /v1/audio/voices HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: " + ctype +
                b"\r\nContent-Length: %d\r\n\r\n" % len(b) + b, timeout=60)
        check(status_of(r) in (400, 503), f"under ulimit -v: an answer ({status_of(r)})")
        check(not [f for f in os.listdir(voices) if f.startswith(".upload-")], "no .upload-* left behind")
        serves_normally(s)


# ---------------------------------------------------------------- 7: HTTP/1.0, half-close
def scenario_http10_halfclose():
    """HTTP/1.0 gets a close-delimited body; a client that half-closes still gets its whole response."""
    with Server() as s:
        b = speech_json(max_audio_ms=320)
        r = raw(s.port, b"POST /v1/audio/speech HTTP/1.0\r\nHost: x\r\nContent-Type: application/json\r\n"
                        b"Content-Length: %d\r\n\r\n" % len(b) + b, timeout=60)
        head, _, audio = r.partition(b"\r\n\r\n")
        check(head.startswith(b"HTTP/1.0 200") and b"chunked" not in head.lower(), f"HTTP/1.0: no chunks ({head[:120]!r})")
        check(len(audio) == 4 * 1920 * 2, f"the body is the audio alone ({len(audio)} bytes)")
        r = raw(s.port, b"POST /v1/audio/speech HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        b"Content-Length: %d\r\n\r\n" % len(b) + b, timeout=60, shut_write=True)
        check(r.startswith(b"HTTP/1.1 200") and r.endswith(b"0\r\n\r\n"), f"half-closed: the whole response ({len(r)} bytes)")
        serves_normally(s)


# ---------------------------------------------------------------- 8: the key, /metrics, voices, a second SIGTERM
def scenario_auth():
    keyfile = os.path.join(st.BASE, "key")
    with open(keyfile, "w") as f:
        f.write(KEY + "\n")
    os.chmod(keyfile, 0o600)
    voices = tempfile.mkdtemp(dir=st.BASE, prefix="voices-")
    clip = os.path.join(st.BASE, "small.wav")
    st.make_clip(clip, seconds=1.0)
    with Server("--api-key-file", keyfile, "--voices", voices, "--max-voices", "1") as s:
        check(KEY not in open(f"/proc/{s.proc.pid}/cmdline").read(), "the key is not on the command line")
        check(s.get("/v1/models")[0] == 401, "no key: 401")
        check(s.get("/v1/models", headers={"Authorization": "bearer " + KEY})[0] == 200, "'bearer' in lower case")
        check(s.get("/v1/models", headers={"Authorization": "BEARER  " + KEY + " "})[0] == 200, "any case, extra spaces")
        check(s.get("/v1/models", headers={"Authorization": "Bearer " + KEY[:-1]})[0] == 401, "a prefix of the key: 401")
        check(s.get("/v1/models", headers={"Authorization": "Bearer " + KEY + "x"})[0] == 401, "a longer key: 401")
        check(s.get("/v1/models", headers={"Authorization": KEY})[0] == 401, "no scheme: 401")
        check(s.get("/metrics")[0] == 401, "/metrics is behind the key")
        check(s.get("/metrics", headers=AUTH)[0] == 200, "/metrics with the key")
        check(s.get("/health")[0] == 200 and s.get("/ready")[0] == 200, "/health and /ready need no key")

        def upload(name):
            b, ctype = multipart([(b"name", name, None), (b"transcript", b"Hello there.", None),
                                  (b"file", open(clip, "rb").read(), b"c.wav")])
            return s.request("POST", "/v1/audio/voices", b, headers=dict(AUTH, **{"Content-Type": ctype.decode()}))
        check(upload(b"one")[0] == 201, "a voice is added")
        st_, _, b = upload(b"two")
        check(st_ == 409 and json.loads(b)["error"]["code"] == "too_many_voices", f"--max-voices 1: the second is refused ({st_})")
        check(s.request("DELETE", "/v1/audio/voices/one")[0] == 401, "DELETE a voice needs the key")
        check(s.request("DELETE", "/v1/audio/voices/one", headers=AUTH)[0] == 200, "DELETE /v1/audio/voices/one: 200")
        check(s.request("DELETE", "/v1/audio/voices/one", headers=AUTH)[0] == 404, "deleted: 404")
        check(s.request("DELETE", "/v1/audio/voices/alloy", headers=AUTH)[0] == 400, "a built-in voice stays")
        check(not os.path.exists(os.path.join(voices, "one.voice.json")), "its files are gone")
        check(upload(b"two")[0] == 201, "the freed place takes another voice")
        serves_normally(s, AUTH)

    with Server("--api-key", KEY, "--metrics-public") as s:
        check(s.get("/metrics")[0] == 200, "--metrics-public: /metrics without the key")

    # A second SIGTERM during a drain exits at once, non-zero.
    with Server() as s:
        c = socket.create_connection(("127.0.0.1", s.port), timeout=20)
        b = speech_json(max_audio_ms=60000, length_guard=0)
        c.sendall(b"POST /v1/audio/speech HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: %d\r\n\r\n" % len(b) + b)
        c.recv(100)
        s.proc.send_signal(signal.SIGTERM)
        check(wait_until(lambda: s.get("/ready")[0] == 503, 5), "draining")
        t0 = time.monotonic()
        s.proc.send_signal(signal.SIGTERM)
        try:
            rc = s.proc.wait(5)
        except Exception:
            rc = None
        check(rc not in (None, 0) and time.monotonic() - t0 < 3, f"the second SIGTERM exits at once, non-zero (rc {rc})")
        c.close()


WS_PATH = b"/v1/audio/speech/stream"


def ws_open(port, key=None, timeout=20):
    """A raw WebSocket handshake; (socket, status, bytes read past the head)."""
    c = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    nonce = base64.b64encode(os.urandom(16))
    auth = b"Authorization: Bearer " + key.encode() + b"\r\n" if key else b""
    c.sendall(b"GET " + WS_PATH + b" HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              b"Sec-WebSocket-Key: " + nonce + b"\r\nSec-WebSocket-Version: 13\r\n" + auth + b"\r\n")
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = c.recv(4096)
        if not chunk:
            break
        head += chunk
    head, _, rest = head.partition(b"\r\n\r\n")
    return c, status_of(head), rest


def ws_frame(payload, opcode=1, masked=True, declared=None):
    """A client frame; `declared` claims another payload length than it carries."""
    n = len(payload) if declared is None else declared
    head = bytes([0x80 | opcode])
    bit = 0x80 if masked else 0
    if n < 126:
        head += bytes([bit | n])
    elif n < 65536:
        head += bytes([bit | 126]) + n.to_bytes(2, "big")
    else:
        head += bytes([bit | 127]) + n.to_bytes(8, "big")
    if not masked:
        return head + payload
    mask = os.urandom(4)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def ws_closed_within(c, seconds):
    """Reads until the server closes the connection (True) or `seconds` pass (False)."""
    c.settimeout(0.5)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if not c.recv(65536):
                return True
        except socket.timeout:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return True
    return False


def scenario_websocket():
    """The WebSocket route under attack: no key, no upgrade, a message claiming 1 GiB, an
    unmasked frame, garbage instead of frames, a flood of small bad messages, and a client
    that opens a long session and never reads. Each ends that socket only: memory stays
    bounded, and the server goes on serving."""
    with Server("--api-key", KEY) as s:
        c, status, _ = ws_open(s.port)
        check(status == 401, f"the upgrade without the key: 401 before any WebSocket ({status})")
        c.close()
        plain = raw(s.port, b"GET " + WS_PATH + b" HTTP/1.1\r\nHost: x\r\n" + b"Authorization: Bearer " +
                    KEY.encode() + b"\r\nConnection: close\r\n\r\n")
        check(status_of(plain) == 426, f"a plain GET of the route: 426 ({status_of(plain)})")
        rss0 = rss_kb(s.proc.pid)

        # A frame whose header claims 1 GiB: refused from the header, nothing allocated for it.
        c, status, _ = ws_open(s.port, KEY)
        check(status == 101, f"the upgrade with the key: 101 ({status})")
        c.sendall(ws_frame(b"x" * 1000, declared=1 << 30))
        check(ws_closed_within(c, 10), "a message claiming 1 GiB closes the socket")
        c.close()
        check(rss_kb(s.proc.pid) - rss0 < 64 * 1024, "and the server did not make room for it")

        # An unmasked client frame, then raw garbage: protocol errors close that socket.
        c, _, _ = ws_open(s.port, KEY)
        c.sendall(ws_frame(b'{"type":"cancel"}', masked=False))
        check(ws_closed_within(c, 10), "an unmasked client frame closes the socket")
        c.close()
        c, _, _ = ws_open(s.port, KEY)
        c.sendall(os.urandom(4096))
        check(ws_closed_within(c, 10), "garbage instead of frames closes the socket")
        c.close()

        # Many bad messages: each answered with an error, the socket stays usable.
        c, _, _ = ws_open(s.port, KEY)
        for i in range(200):
            c.sendall(ws_frame(b"not json %d" % i))
        c.sendall(ws_frame(json.dumps({"type": "session.start", "model": "csm-1b", "voice": "alloy",
                                        "input": "Hello there.", "max_audio_ms": 160}).encode()))
        c.sendall(ws_frame(b'{"type":"text.done"}'))
        seen, deadline = b"", time.monotonic() + 60
        c.settimeout(1)
        while b"session.done" not in seen and time.monotonic() < deadline:
            try:
                chunk = c.recv(65536)
            except socket.timeout:
                continue
            if not chunk:
                break
            seen += chunk
        check(seen.count(b'"type":"error"') >= 1 and b"session.done" in seen,
              "bad messages are answered with errors, and a session after them still runs to its end")
        c.close()

        # A client that asks for a minute of audio and never reads: the server stops sending
        # at its cap for unread bytes and ends that session; memory stays bounded.
        hogs = []
        for _ in range(4):
            c, _, _ = ws_open(s.port, KEY)
            c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            c.sendall(ws_frame(json.dumps({"type": "session.start", "model": "csm-1b", "voice": "alloy",
                                            "input": "A long text that goes on.", "length_guard": 0,
                                            "max_audio_ms": 60000, "response_format": "pcm"}).encode()))
            hogs.append(c)
        time.sleep(5)
        # Each socket holds at most 8 MiB unsent; a sanitizer's quarantine and shadow keep far more resident.
        bound_kb = (4 * 32 + 256) * 1024 * (4 if SANITIZED else 1)
        check(rss_kb(s.proc.pid) - rss0 < bound_kb,
              f"four clients that never read hold bounded memory ({(rss_kb(s.proc.pid) - rss0) // 1024} MiB more)")
        check(health_within(s.port, 2.0), "/health answers while they hog")
        for c in hogs:
            c.close()
        serves_normally(s, AUTH)


def main():
    if not st.BIN:
        print("CSM_SERVE_BIN is not set to the csm-serve binary")
        return 2
    rc = globals()["scenario_" + sys.argv[1]]()
    if rc == st.SKIP:
        return st.SKIP
    failures = st.failures
    print(f"{sys.argv[1]}: {'FAILED: ' + '; '.join(failures) if failures else 'all checks passed'}")
    if not failures:
        import shutil
        shutil.rmtree(st.BASE, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
