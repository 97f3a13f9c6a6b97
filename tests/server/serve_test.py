#!/usr/bin/env python3
"""End-to-end tests of csm-serve on the demo model, on loopback, random free ports.

  serve_test.py SCENARIO     (curl | remote | knobs | openai_sdk | faults | sigterm | schemathesis | load | nginx | k8s)

Environment: CSM_SERVE_BIN (the binary), CSM_SERVE_VENV (a venv with openai and
schemathesis, see setup_venv.sh), CSM_SOURCE_DIR. Every wait is bounded; every
server started here is stopped here. Exit 0 pass, 1 fail, 77 skipped.
"""
import base64
import http.client
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

BIN = os.environ.get("CSM_SERVE_BIN", "")
VENV = os.environ.get("CSM_SERVE_VENV", "")
SRC = os.environ.get("CSM_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
VENV_PY = os.path.join(VENV, "bin", "python") if VENV else ""
SKIP = 77
failures = []
BASE = tempfile.mkdtemp(prefix="csm-serve-test-")  # removed after a passing run


def check(condition, what):
    if condition:
        print("  ok:", what)
    else:
        print("  FAIL:", what)
        failures.append(what)
    return condition


class Server:
    """csm-serve on the demo model, port 0 (the kernel picks a free one)."""

    def __init__(self, *extra, workdir=None, preexec=None):
        self.dir = workdir or tempfile.mkdtemp(dir=BASE, prefix="csm-serve-test-")
        self.log_path = os.path.join(self.dir, f"serve-{time.monotonic_ns()}.log")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([BIN, "--model", "demo", "--port", "0", *extra], stdout=self.log,
                                     stderr=subprocess.STDOUT, preexec_fn=preexec)
        self.port = None
        # The key, when the server has one: /metrics is behind it too.
        self.key = {"Authorization": "Bearer " + extra[extra.index("--api-key") + 1]} if "--api-key" in extra else {}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.proc.poll() is None:
            m = re.search(r"listening on http://[\d.]+:(\d+)", open(self.log_path).read())
            if m:
                self.port = int(m.group(1))
                break
            time.sleep(0.05)
        if self.port is None:
            raise RuntimeError("csm-serve did not start:\n" + open(self.log_path).read())
        while time.monotonic() < deadline:
            try:
                if self.get("/ready")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("csm-serve never became ready:\n" + open(self.log_path).read())

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def request(self, method, path, body=None, headers=None, timeout=60):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            data = json.dumps(body) if isinstance(body, (dict, list)) else body
            h = {"Content-Type": "application/json"} if isinstance(body, (dict, list)) else {}
            h.update(headers or {})
            conn.request(method, path, data, h)
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def speech(self, body, **kw):
        return self.request("POST", "/v1/audio/speech", body, **kw)

    def metric(self, name):
        text = self.get("/metrics", headers=self.key)[2].decode()
        m = re.search(r"^" + re.escape(name) + r" ([0-9.e+-]+)$", text, re.M)
        return float(m.group(1)) if m else None

    def stop(self, sig=signal.SIGTERM, timeout=60):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        rc = self.stop()
        if exc[0] is not None or failures:
            print("--- server log ---\n" + open(self.log_path).read()[-3000:])
        return False


def body(text="Hello there.", **kw):
    b = {"model": "csm-1b", "input": text, "voice": "alloy", "max_audio_ms": 800, "seed": 7}
    b.update(kw)
    return b


def curl(*args, timeout=60):
    return subprocess.run(["curl", "-sS", "--max-time", str(timeout), *args], capture_output=True, timeout=timeout + 10)


def parse_sse(raw):
    events = []
    for block in raw.decode().split("\n\n"):
        if block.startswith("data: "):
            events.append(json.loads(block[6:]))
    return events


def open_stream(port, b):
    """A raw socket that sent a speech request (for disconnect tests)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    data = json.dumps(b).encode()
    s.sendall(b"POST /v1/audio/speech HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
              + str(len(data)).encode() + b"\r\n\r\n" + data)
    return s


def wait_until(condition, limit=20.0):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def make_clip(path, seconds=2.0, rate=16000):
    import math
    import wave
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        frames = b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 220 * i / rate)))
                          for i in range(int(seconds * rate)))
        w.writeframes(frames)


# ---------------------------------------------------------------- scenarios

def scenario_curl():
    voices = tempfile.mkdtemp(dir=BASE, prefix="csm-voices-")
    with Server("--voices", voices, "--max-streams", "2") as s:
        d = s.dir
        r = curl("-D", f"{d}/h", "-o", f"{d}/a.wav", "-X", "POST", s.url + "/v1/audio/speech",
                 "-H", "Content-Type: application/json", "-H", "X-Request-Id: my-req-1",
                 "-d", json.dumps(body(response_format="wav")))
        headers = open(f"{d}/h").read().lower()
        wav = open(f"{d}/a.wav", "rb").read()
        check(r.returncode == 0 and " 200" in headers.splitlines()[0], "curl wav: 200")
        check("content-type: audio/wav" in headers, "curl wav: audio/wav")
        check("x-request-id: my-req-1" in headers, "X-Request-Id echoed")
        check(wav[:4] == b"RIFF" and wav[4:8] == b"\xff\xff\xff\xff" and wav[36:40] == b"data",
              "streamed WAV header with unknown sizes")
        pcm_in_wav = wav[44:]
        check(len(pcm_in_wav) > 0 and len(pcm_in_wav) % (1920 * 2) == 0 and len(pcm_in_wav) <= 10 * 3840,
              f"WAV data is whole 80 ms frames, at most max_audio_ms ({len(pcm_in_wav)} bytes)")

        r = curl("-o", f"{d}/a.pcm", "-X", "POST", s.url + "/v1/audio/speech", "-H", "Content-Type: application/json",
                 "-d", json.dumps(body(response_format="pcm")))
        pcm = open(f"{d}/a.pcm", "rb").read()
        check(r.returncode == 0 and pcm == pcm_in_wav, "curl pcm: raw s16le equal to the WAV's samples (same seed)")

        r = curl("-N", "-X", "POST", s.url + "/v1/audio/speech", "-H", "Content-Type: application/json",
                 "-d", json.dumps(body(response_format="pcm", stream_format="sse")))
        events = parse_sse(r.stdout)
        deltas = [e for e in events if e["type"] == "speech.audio.delta"]
        done = [e for e in events if e["type"] == "speech.audio.done"]
        check(r.returncode == 0 and len(deltas) >= 2 and len(done) == 1 and events[-1] is done[0],
              f"curl sse: {len(deltas)} deltas then one done")
        check(b"".join(base64.b64decode(e["audio"]) for e in deltas) == pcm, "sse audio equals the pcm bytes")
        keys = {"chunk", "first_frame", "frames", "generate_ms", "decode_ms", "elapsed_ms", "rtf", "first_audio_ms",
                "frames_per_s", "device_bytes", "rss_bytes", "active_streams", "max_streams", "queued_ms"}
        check(all(keys <= set(e["csm"]) for e in deltas), "every delta carries the csm metrics object")
        check([e["csm"]["chunk"] for e in deltas] == list(range(len(deltas))), "chunk indices count up")
        check(deltas[0]["csm"]["max_streams"] == 2, "csm.max_streams is the server's")
        if done:
            check({"input_tokens", "output_tokens", "total_tokens"} <= set(done[0]["usage"]), "done carries usage")
            check({"frames", "audio_ms", "rtf", "first_audio_ms", "stop"} <= set(done[0]["csm"]) and
                  done[0]["csm"]["frames"] * 1920 * 2 == len(pcm), "done carries the csm summary")

        for fmt, magic in (("flac", b"fLaC"), ("opus", b"OggS"), ("mp3", None)):
            r = curl("-D", f"{d}/h2", "-o", f"{d}/a.{fmt}", "-X", "POST", s.url + "/v1/audio/speech",
                     "-H", "Content-Type: application/json", "-d", json.dumps(body(response_format=fmt)))
            data = open(f"{d}/a.{fmt}", "rb").read()
            good = data[:4] == magic if magic else (data[:3] == b"ID3" or (data[0] == 0xFF and data[1] & 0xE0 == 0xE0))
            check(r.returncode == 0 and len(data) > 100 and good, f"curl {fmt}: {len(data)} bytes, right magic")

        st, h, b = s.get("/health")
        check(st == 200 and json.loads(b)["status"] == "ok", "/health")
        st, h, b = s.get("/ready")
        check(st == 200 and json.loads(b)["status"] == "ready", "/ready")
        check("x-request-id" in h, "X-Request-Id on every response")
        st, h, b = s.get("/metrics")
        text = b.decode()
        check(st == 200 and "text/plain" in h["content-type"], "/metrics is text")
        for family in ("csm_active_streams", "csm_queued_requests", "csm_frames_per_second", "csm_request_rtf_bucket",
                       "csm_time_to_first_audio_seconds_bucket", "csm_errors_total"):
            check(family in text, f"/metrics has {family}")
        st, h, b = s.get("/v1/models")
        check(st == 200 and "csm-1b" in [m["id"] for m in json.loads(b)["data"]], "/v1/models lists csm-1b")
        st, h, b = s.get("/v1/csm/info")
        info = json.loads(b)
        check(st == 200 and info["engine"]["demo"] is True and info["engine"]["sample_rate"] == 24000 and
              info["engine"]["max_streams"] == 2 and "cpu" in info["machine"] and "libtorch" in info["machine"],
              "/v1/csm/info: engine and machine (csm-bench --info)")

        # Voices: clone one from a clip, use it, find it again after a restart.
        make_clip(f"{d}/clip.wav")
        r = curl("-w", "%{http_code}", "-F", "name=tester", "-F", "transcript=Hello, this is a test clip.",
                 "-F", f"file=@{d}/clip.wav", s.url + "/v1/audio/voices")
        check(r.stdout.endswith(b"201"), f"POST /v1/audio/voices (multipart): 201 ({r.stdout[-200:]!r})")
        names = [v["name"] for v in json.loads(s.get("/v1/audio/voices")[2])["data"]]
        check("tester" in names and "alloy" in names, "GET /v1/audio/voices lists built-in and cloned voices")
        check(os.path.exists(os.path.join(voices, "tester.codes.json")), "the voice is stored as codes on disk")
        st, h, cloned = s.speech(body(voice="tester", response_format="pcm"))
        check(st == 200 and len(cloned) > 0 and cloned != pcm, "speech with the cloned voice (a context segment)")
        r = curl("-w", "%{http_code}", "-F", "name=tester", "-F", "transcript=x", "-F", f"file=@{d}/clip.wav",
                 s.url + "/v1/audio/voices")
        check(r.stdout.endswith(b"409"), "the same voice name again: 409")
        open(f"{d}/bad.wav", "wb").write(b"RIFF not really a wav")
        r = curl("-w", "%{http_code}", "-F", "name=broken", "-F", "transcript=x", "-F", f"file=@{d}/bad.wav",
                 s.url + "/v1/audio/voices")
        check(r.stdout.endswith(b"400"), "an unreadable clip: 400")
    with Server("--voices", voices) as s2:
        st, h, again = s2.speech(body(voice="tester", response_format="pcm"))
        check(st == 200 and again == cloned, "the cloned voice survives a restart, same audio for the same seed")

    with Server("--api-key", "sekret") as s:
        check(s.speech(body())[0] == 401, "--api-key: no key, 401")
        check(s.speech(body(), headers={"Authorization": "Bearer wrong"})[0] == 401, "--api-key: wrong key, 401")
        check(s.speech(body(), headers={"Authorization": "Bearer sekret"})[0] == 200, "--api-key: right key, 200")
        check(s.get("/health")[0] == 200 and s.get("/ready")[0] == 200, "health and readiness need no key")


class SseReader:
    """A speech request streaming SSE, its events read one at a time (for changes mid-stream)."""

    def __init__(self, port, b, request_id, headers=None):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        h = {"Content-Type": "application/json", "X-Request-Id": request_id}
        h.update(headers or {})
        self.conn.request("POST", "/v1/audio/speech", json.dumps(dict(b, stream_format="sse")), h)
        self.response = self.conn.getresponse()
        self.status = self.response.status
        self.stream_id = self.response.getheader("X-CSM-Stream-Id")  # the server's id: the control routes take only this
        self.events = []

    def next(self):
        """The next event, or None at the end of the response."""
        while True:
            line = self.response.readline()
            if not line:
                return None
            if line.startswith(b"data: "):
                self.events.append(json.loads(line[6:]))
                return self.events[-1]

    def rest(self):
        while self.next() is not None:
            pass
        self.conn.close()
        return self.events

    def audio(self):
        return b"".join(base64.b64decode(e["audio"]) for e in self.events if e["type"] == "speech.audio.delta")


def scenario_remote():
    """The studio as a remote client (issue #17): live sampling and cancel of a running stream by
    its X-Request-Id, context voices and speaker, the benchmark report, what /v1/csm/info offers."""
    voices = tempfile.mkdtemp(dir=BASE, prefix="csm-voices-")
    report = os.path.join(BASE, "bench-setup.json")
    key = {"Authorization": "Bearer sekret"}
    with Server("--voices", voices, "--benchmark-report", report, "--api-key", "sekret") as s:
        d = s.dir
        st, _, b = s.get("/v1/csm/benchmark", headers=key)
        check(st == 404 and json.loads(b)["error"]["code"] == "no_benchmark", "benchmark file not there yet: 404")
        bench = {"machine": {"cpu": "test"}, "recommended": {"chunk_size_ms": 160, "max_streams": 4}}
        open(report, "w").write(json.dumps(bench))
        st, h, b = s.get("/v1/csm/benchmark", headers=key)
        check(st == 200 and json.loads(b) == bench and "application/json" in h["content-type"],
              "GET /v1/csm/benchmark returns the --benchmark-report file (read at request time)")
        info = json.loads(s.get("/v1/csm/info", headers=key)[2])["server"]
        check(info.get("live_sampling") is True and info.get("context_voices") is True and info.get("benchmark") is True
              and info.get("voices_dir") is True and info.get("max_streams") == 8 and info.get("api_key") is True,
              f"/v1/csm/info advertises the remote features ({info})")

        # The API key guards the new routes like every /v1 route.
        for method, path, data in (("POST", "/v1/csm/streams/x/sampling", {"temperature": 0.5}),
                                   ("DELETE", "/v1/csm/streams/x", None), ("GET", "/v1/csm/benchmark", None)):
            check(s.request(method, path, data)[0] == 401, f"{method} {path} without the key: 401")
            check(s.request(method, path, data, headers={"Authorization": "Bearer nope"})[0] == 401,
                  f"{method} {path} with a wrong key: 401")

        # Live sampling: the same seeded request twice, the second one greedy from its second chunk on.
        long = body(text="A long sentence to change while it is spoken.", max_audio_ms=4000, seed=3,
                    response_format="pcm", temperature=0.9, top_k=50)
        ref = SseReader(s.port, long, "ref-1", key)
        ref.rest()
        live = SseReader(s.port, long, "live-1", key)
        first = live.next()
        check(live.status == 200 and first and first["type"] == "speech.audio.delta", "live stream started")
        sid = live.stream_id or "none"
        check(first and first["csm"].get("stream_id") == sid, "the events carry the stream id of the response header")
        st, _, b = s.request("POST", "/v1/csm/streams/live-1/sampling", {"temperature": 0, "top_k": 1}, headers=key)
        check(st == 404, "the client's X-Request-Id reaches no stream")
        st, _, b = s.request("POST", f"/v1/csm/streams/{sid}/sampling", {"temperature": 0, "top_k": 1}, headers=key)
        applied = json.loads(b) if st == 200 else {}
        check(st == 200 and applied == {"id": sid, "temperature": 0, "top_k": 1, "top_p": 1, "depth_temperature": 0,
                                        "depth_top_k": 1, "depth_top_p": 1},
              f"POST /v1/csm/streams/{{stream_id}}/sampling: 200 with the applied values ({st} {b[:200]!r})")
        st, _, b = s.request("POST", f"/v1/csm/streams/{sid}/sampling", {"temperature": 7}, headers=key)
        check(st == 400 and json.loads(b)["error"]["param"] == "temperature", "an out-of-range temperature: 400")
        events = live.rest()
        done = events[-1] if events else {}
        deltas = [e for e in events if e["type"] == "speech.audio.delta"]
        check(done.get("type") == "speech.audio.done" and done["csm"]["temperature"] == 0 and done["csm"]["top_k"] == 1,
              "done shows the changed knobs")
        check(deltas[0]["csm"]["temperature"] == 0.9 and deltas[-1]["csm"]["temperature"] == 0,
              "the chunks show the knobs in effect: the request's, then the changed ones")
        a, b_ = ref.audio(), live.audio()
        n = len(base64.b64decode(first["audio"]))
        check(n > 0 and a[:n] == b_[:n] and a != b_,
              "same seed: the audio before the change is the reference's, after it differs (greedy)")
        st, _, b = s.request("POST", f"/v1/csm/streams/{sid}/sampling", {"temperature": 0.5}, headers=key)
        check(st == 404 and json.loads(b)["error"]["code"] == "stream_not_found", "a finished stream: 404")
        st, _, b = s.request("POST", "/v1/csm/streams/never-ran/sampling", {"temperature": 0.5}, headers=key)
        check(st == 404 and json.loads(b)["error"]["code"] == "stream_not_found", "an unknown request id: 404")

        # A live change lasts across a piece boundary: "Hi." is a piece of its own (43 frames with the
        # demo's byte tokenizer), and the second piece's chunks are still made greedy, by core's account.
        two = body(text="Hi. This second sentence is long enough that it cannot share a piece with the first.",
                   max_audio_ms=4480, seed=4, response_format="pcm", temperature=0.9, top_k=50, length_guard=0)
        run = SseReader(s.port, two, "pieces-1", key)
        run.next()
        st, _, b = s.request("POST", f"/v1/csm/streams/{run.stream_id}/sampling", {"temperature": 0}, headers=key)
        check(st == 200, f"sampling changed during the first piece ({st} {b[:200]!r})")
        events = run.rest()
        later = [e for e in events if e["type"] == "speech.audio.delta" and e["csm"].get("first_frame", 0) >= 43]
        check(later and all(e["csm"]["temperature"] == 0 for e in later) and events[-1]["csm"]["temperature"] == 0
              and events[-1]["csm"]["frames"] == 56,
              f"the second piece is still greedy, and the summary agrees ({[e['csm'].get('temperature') for e in later]})")

        # DELETE cancels a running stream: its response ends early with stop "cancelled".
        cancelled_before = s.metric('csm_streams_total{stop="cancelled"}') or 0
        run = SseReader(s.port, body(max_audio_ms=60000, length_guard=0, response_format="pcm"), "cut-1", key)
        run.next()
        t0 = time.monotonic()
        st, _, b = s.request("DELETE", f"/v1/csm/streams/{run.stream_id}", headers=key)
        check(st == 200 and json.loads(b) == {"id": run.stream_id, "cancelled": True}, "DELETE /v1/csm/streams/{stream_id}: 200")
        events = run.rest()
        check(events and events[-1]["type"] == "speech.audio.done" and events[-1]["csm"]["stop"] == "cancelled"
              and events[-1]["csm"]["audio_ms"] < 60000,
              f"the response ends early ({time.monotonic() - t0:.2f} s), done says cancelled")
        check(s.metric('csm_streams_total{stop="cancelled"}') == cancelled_before + 1, "/metrics counts it cancelled")
        check(s.request("DELETE", f"/v1/csm/streams/{run.stream_id}", headers=key)[0] == 404, "DELETE again: 404")

        # context and speaker.
        make_clip(f"{d}/clip.wav")
        r = curl("-w", "%{http_code}", "-H", "Authorization: Bearer sekret", "-F", "name=tester",
                 "-F", "transcript=Hello, this is a test clip.", "-F", f"file=@{d}/clip.wav", s.url + "/v1/audio/voices")
        check(r.stdout.endswith(b"201"), "a cloned voice for context")
        st, _, b = s.speech(body(context=["tester", "nobody"]), headers=key)
        err = json.loads(b).get("error", {}) if st != 200 else {}
        check(st == 400 and err.get("code") == "voice_not_found" and "nobody" in err.get("message", ""),
              f"context with an unknown voice: 400 voice_not_found naming it ({st} {err.get('message')})")
        st, _, plain = s.speech(body(response_format="pcm"), headers=key)
        st2, _, ctx = s.speech(body(response_format="pcm", context=["tester"]), headers=key)
        check(st == 200 and st2 == 200 and len(ctx) > 0 and ctx != plain, "context voices change the audio (same seed)")
        st, _, spk = s.speech(body(response_format="pcm", speaker=5), headers=key)
        check(st == 200 and len(spk) > 0, "speaker accepted")
        check(s.speech(body(speaker=100), headers=key)[0] == 400, "speaker out of range: 400")

    with Server() as s:
        st, _, b = s.get("/v1/csm/benchmark")
        e = json.loads(b).get("error", {})
        check(st == 404 and e.get("code") == "no_benchmark" and "--benchmark-report FILE" in e.get("message", ""),
              "no --benchmark-report: 404 no_benchmark with the hint")
        info = json.loads(s.get("/v1/csm/info")[2])["server"]
        check(info.get("benchmark") is False and info.get("voices_dir") is False, "/v1/csm/info says so")


def scenario_knobs():
    """Issue #23's knobs through the server: codebook depth, codes and entropies in the SSE
    deltas, depth-decoder sampling and top-p in effect, the length guard's stop."""
    with Server("--max-streams", "2") as s:
        info = json.loads(s.get("/v1/csm/info")[2])
        check(info["server"].get("research_knobs") is True and info["engine"].get("num_codebooks") == 32,
              "/v1/csm/info advertises the research knobs and the model's codebooks")
        st, _, raw = s.speech(body(stream_format="sse", response_format="pcm", codebooks=4, include_codes=True,
                                   top_p=0.9, depth_temperature=0.0, depth_top_k=7, length_guard=0))
        events = parse_sse(raw)
        deltas = [e for e in events if e["type"] == "speech.audio.delta" and e["csm"].get("frames")]
        done = [e for e in events if e["type"] == "speech.audio.done"]
        check(st == 200 and deltas and done, "an SSE stream with the new knobs completes")
        frames = [f for e in deltas for f in e["csm"]["codes"]]
        check(len(frames) == 10 and all(len(f) == 32 for f in frames), f"codes for every frame ({len(frames)} of 10)")
        check(all(any(c != 0 for c in f[:4]) and all(c == 0 for c in f[4:]) for f in frames),
              "codebooks past 4 are 0, the first 4 are not all 0")
        check(all(len(e["csm"]["entropy"]) == len(e["csm"]["codes"]) for e in deltas) and
              all(0 < h < 8 for e in deltas for h in e["csm"]["entropy"]), "one entropy (nats) per frame")
        m = deltas[-1]["csm"]
        check(m["top_p"] == 0.9 and m["depth_temperature"] == 0 and m["depth_top_k"] == 7 and m["temperature"] > 0,
              f"the chunk says the knobs it was made with ({m})")
        # Without include_codes, no codes (the payload stays small).
        _, _, raw = s.speech(body(stream_format="sse", response_format="pcm", max_audio_ms=160))
        check(all("codes" not in e.get("csm", {}) for e in parse_sse(raw)), "no codes unless asked")
        # The length guard: the demo never ends its sentence, the guard stops it at its 2 s floor.
        _, _, raw = s.speech(body(text="Hi.", stream_format="sse", response_format="pcm", max_audio_ms=10000))
        done = [e for e in parse_sse(raw) if e["type"] == "speech.audio.done"][0]
        check(done["csm"]["stop"] == "length_guard" and done["csm"]["frames"] == 25,
              f"the length guard ends a runaway stream ({done['csm'].get('stop')}, {done['csm'].get('frames')} frames)")
        check(s.metric('csm_streams_total{stop="length_guard"}') == 1, "counted in /metrics by its stop reason")
        st, _, b = s.speech(body(codebooks=33))
        check(st == 400 and b"codebooks" in b, "more codebooks than the model has: 400 naming the field")


def scenario_openai_sdk():
    if not (VENV_PY and os.path.exists(VENV_PY)):
        print("skipped: no venv with the openai SDK (tests/server/setup_venv.sh)")
        return SKIP
    with Server("--max-streams", "1", "--max-queue", "1") as s:
        _, _, pcm = s.speech(body(response_format="pcm", seed=11))
        _, _, sse_raw = s.speech(body(response_format="pcm", seed=11, stream_format="sse"))
        script = r'''
import base64, json, sys, threading, time, openai
from openai import OpenAI
port, expected_path = sys.argv[1], sys.argv[2]
expected = open(expected_path, "rb").read()
c = OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="unused", max_retries=0, timeout=60)
out = {}
with c.audio.speech.with_streaming_response.create(model="tts-1", voice="alloy", input="Hello there.",
        response_format="pcm", extra_body={"max_audio_ms": 800, "seed": 11}) as r:
    chunks = list(r.iter_bytes())
    out["status"] = r.status_code
    out["request_id"] = r.headers.get("x-request-id")
out["pcm_equal"] = b"".join(chunks) == expected
out["pcm_pieces"] = len(chunks)
r = c.audio.speech.create(model="csm-1b", voice="echo", input="A wav file.", response_format="wav",
                          extra_body={"max_audio_ms": 240})
out["wav_riff"] = r.content[:4] == b"RIFF"
with c.audio.speech.with_streaming_response.create(model="tts-1", voice="alloy", input="Hello there.",
        response_format="pcm", extra_body={"max_audio_ms": 800, "seed": 11, "stream_format": "sse"}) as r:
    events = [json.loads(l[6:]) for l in r.iter_lines() if l.startswith("data: ")]
out["sse_types"] = sorted({e["type"] for e in events})
out["sse_equal"] = b"".join(base64.b64decode(e["audio"]) for e in events if e["type"] == "speech.audio.delta") == expected
for name, kwargs in {"unknown_voice": dict(voice="nobody"), "speed": dict(speed=2.0),
                     "format": dict(response_format="aac"), "empty": dict(input="")}.items():
    args = dict(model="tts-1", voice="alloy", input="x")
    args.update(kwargs)
    try:
        c.audio.speech.create(**args)
        out[name] = "accepted"
    except openai.BadRequestError as e:
        out[name] = [e.status_code, e.body.get("code") if isinstance(e.body, dict) else None]
# A full queue: 429 as openai.RateLimitError.
import http.client
def long_one():
    try:
        c.audio.speech.create(model="tts-1", voice="alloy", input="Long.", response_format="pcm",
                              extra_body={"max_audio_ms": 8000, "length_guard": 0})  # busy for the whole 8 s
    except Exception:
        pass
ts = [threading.Thread(target=long_one) for _ in range(2)]
for t in ts:
    t.start()
time.sleep(1.0)
try:
    c.audio.speech.create(model="tts-1", voice="alloy", input="One too many.", extra_body={"max_audio_ms": 80})
    out["busy"] = "accepted"
except openai.RateLimitError as e:
    out["busy"] = [e.status_code, e.response.headers.get("retry-after")]
except Exception as e:
    out["busy"] = repr(e)
for t in ts:
    t.join()
print(json.dumps(out))
'''
        open(f"{s.dir}/expected.pcm", "wb").write(pcm)
        open(f"{s.dir}/sdk.py", "w").write(script)
        r = subprocess.run([VENV_PY, f"{s.dir}/sdk.py", str(s.port), f"{s.dir}/expected.pcm"], capture_output=True,
                           timeout=180)
        print(r.stderr.decode()[-2000:])
        out = json.loads(r.stdout.decode().strip().splitlines()[-1]) if r.returncode == 0 else {}
        check(out.get("status") == 200 and out.get("request_id"), "SDK with_streaming_response: 200 with a request id")
        check(out.get("pcm_equal") is True, f"SDK streamed pcm equals the direct request ({out.get('pcm_pieces')} pieces)")
        check(out.get("wav_riff") is True, "SDK create(): a WAV")
        check(out.get("sse_types") == ["speech.audio.delta", "speech.audio.done"] and out.get("sse_equal") is True,
              "SDK with stream_format sse: deltas decode to the same audio, then done")
        for name, code in (("unknown_voice", "voice_not_found"), ("speed", "unsupported_value"),
                           ("format", "unsupported_value"), ("empty", "empty_input")):
            check(out.get(name) == [400, code], f"SDK {name}: BadRequestError 400 {code} ({out.get(name)})")
        check(isinstance(out.get("busy"), list) and out["busy"][0] == 429 and out["busy"][1],
              f"SDK full queue: RateLimitError 429 with Retry-After ({out.get('busy')})")
        check(parse_sse(sse_raw)[-1]["type"] == "speech.audio.done", "raw SSE ends with done")


def scenario_faults():
    with Server("--max-streams", "1", "--max-queue", "1") as s:
        def error_case(what, status, code, *args, **kw):
            st, h, b = s.request(*args, **kw)
            try:
                e = json.loads(b)["error"]
                shape = set(e) == {"message", "type", "param", "code"}
            except Exception:
                e, shape = {}, False
            check(st == status and shape and (code is None or e.get("code") == code),
                  f"{what}: {status} {code} ({st} {e.get('code')})")
            return h

        error_case("malformed JSON", 400, "invalid_json", "POST", "/v1/audio/speech", "{not json",
                   headers={"Content-Type": "application/json"})
        error_case("unknown voice", 400, "voice_not_found", "POST", "/v1/audio/speech", body(voice="nobody"))
        error_case("empty input", 400, "empty_input", "POST", "/v1/audio/speech", body(text=""))
        error_case("over-long input", 400, "input_too_long", "POST", "/v1/audio/speech", body(text="a" * 4097))
        error_case("bad format", 400, "unsupported_value", "POST", "/v1/audio/speech", body(response_format="aac"))
        error_case("speed 1.5", 400, "unsupported_value", "POST", "/v1/audio/speech", body(speed=1.5))
        error_case("unknown model", 400, "model_not_found", "POST", "/v1/audio/speech", body(model="whisper-1"))
        error_case("unknown path", 404, "not_found", "GET", "/v1/nothing")
        error_case("GET on speech", 405, "method_not_allowed", "GET", "/v1/audio/speech")
        error_case("body over the limit", 413, "body_too_large", "POST", "/v1/audio/speech",
                   json.dumps(body(text="a" * 70000)), headers={"Content-Type": "application/json"})
        check(s.get("/health")[0] == 200, "still alive after the bad requests")

        # A client that goes away mid-stream frees its slot (within a frame, well under a second here).
        a = open_stream(s.port, body(max_audio_ms=60000, length_guard=0))
        first = a.recv(4096)
        check(first.startswith(b"HTTP/1.1 200"), "long stream started")
        check(wait_until(lambda: s.metric("csm_active_streams") == 1), "one active stream")
        t0 = time.monotonic()
        a.close()
        freed = wait_until(lambda: s.metric("csm_active_streams") == 0, 10)
        check(freed, f"disconnect mid-stream frees the slot ({time.monotonic() - t0:.2f} s)")
        check(s.metric("csm_client_disconnects_total") >= 1, "the disconnect is counted")
        st, _, audio = s.speech(body(max_audio_ms=160, response_format="pcm"))
        check(st == 200 and len(audio) == 2 * 1920 * 2, "the freed slot serves the next request")

        # Backpressure: one streaming, one queued, the next one 429 with Retry-After.
        a = open_stream(s.port, body(max_audio_ms=60000, length_guard=0))
        a.recv(4096)
        b_ = open_stream(s.port, body(max_audio_ms=60000, length_guard=0))
        check(wait_until(lambda: s.metric("csm_queued_requests") == 1), "second request queued")
        h = error_case("queue full", 429, "queue_full", "POST", "/v1/audio/speech", body(max_audio_ms=80))
        check(h.get("retry-after", "").isdigit(), f"429 has Retry-After ({h.get('retry-after')})")
        b_.close()  # a queued client that leaves is dropped from the queue
        check(wait_until(lambda: s.metric("csm_queued_requests") == 0, 10), "a queued client that leaves frees its place")
        a.close()
        check(wait_until(lambda: s.metric("csm_active_streams") == 0, 10), "and the running one its slot")
        check('csm_errors_total{kind="queue_full"}' in s.get("/metrics")[2].decode(), "errors by kind in /metrics")

        # A client that sends half a request and stalls is not served forever: the read times out.
    with Server("--read-timeout-s", "1") as s:
        c = socket.create_connection(("127.0.0.1", s.port), timeout=10)
        c.sendall(b"POST /v1/audio/speech HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
        t0 = time.monotonic()
        try:
            data = c.recv(4096)
        except socket.timeout:
            data = None
        check(data == b"" and time.monotonic() - t0 < 5, "a stalled upload is closed after --read-timeout-s")
        c.close()


def scenario_sigterm():
    with Server("--max-streams", "2", "--max-queue", "8") as s:
        results = {}

        def client(i):
            st, h, raw = s.speech(body(text=f"Client {i} talks for a while.", seed=100 + i, max_audio_ms=2400,
                                       response_format="pcm", stream_format="sse"), timeout=120)
            events = parse_sse(raw) if st == 200 else []
            audio = b"".join(base64.b64decode(e["audio"]) for e in events if e["type"] == "speech.audio.delta")
            done = [e for e in events if e["type"] == "speech.audio.done"]
            results[i] = (st, len(audio), done[0]["csm"]["frames"] if done else None)

        threads = [threading.Thread(target=client, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        check(wait_until(lambda: s.metric("csm_active_streams") == 2 and s.metric("csm_queued_requests") == 2),
              "two streaming, two queued")
        s.proc.send_signal(signal.SIGTERM)
        check(wait_until(lambda: s.get("/ready")[0] == 503, 5), "/ready goes false (503) while draining")
        st, h, b = s.speech(body(max_audio_ms=80))
        check(st == 503 and h.get("retry-after") and json.loads(b)["error"]["code"] == "draining",
              "a new request while draining: 503 with Retry-After")
        check(s.get("/health")[0] == 200, "/health still answers while draining")
        for t in threads:
            t.join(120)
        for i in range(4):
            st, n, frames = results.get(i, (None, 0, None))
            check(st == 200 and frames and n == frames * 1920 * 2,
                  f"accepted request {i} finished whole ({n} bytes, {frames} frames)")
        try:
            rc = s.proc.wait(60)
        except subprocess.TimeoutExpired:
            rc = None
        check(rc == 0, f"exit status 0 after the drain ({rc})")


def scenario_schemathesis():
    if not (VENV_PY and os.path.exists(VENV_PY)):
        print("skipped: no venv with schemathesis (tests/server/setup_venv.sh)")
        return SKIP
    schema = os.path.join(SRC, "app", "csm-serve", "openapi.yaml")
    st = os.path.join(VENV, "bin", "schemathesis")
    common = [st, "run", schema, "--seed", "1", "--workers", "1", "--request-timeout", "60",
              "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
              "response_schema_conformance", "--generation-database", "none"]
    with Server("--max-streams", "2", "--max-queue", "64") as s:
        # Fast endpoints: every phase, more examples.
        r1 = subprocess.run(common + ["--url", s.url, "--max-examples", "30", "--exclude-path", "/v1/audio/speech",
                                      "--exclude-method", "POST"], capture_output=True, timeout=240, cwd=s.dir)
        print(r1.stdout.decode()[-3000:], r1.stderr.decode()[-2000:])
        check(r1.returncode == 0, "schemathesis: GET endpoints conform to openapi.yaml")
    # The speech endpoint: generated requests, each a short stream (the server caps audio at 320 ms).
    with Server("--max-streams", "2", "--max-queue", "64", "--max-audio-ms", "320") as s:
        r2 = subprocess.run(common + ["--url", s.url, "--max-examples", "12", "--include-path", "/v1/audio/speech",
                                      "--phases", "coverage,fuzzing"], capture_output=True, timeout=240, cwd=s.dir)
        print(r2.stdout.decode()[-3000:], r2.stderr.decode()[-2000:])
        check(r2.returncode == 0, "schemathesis: POST /v1/audio/speech conforms to openapi.yaml")


def load_tool(*args, timeout=280):
    r = subprocess.run([sys.executable, os.path.join(SRC, "tools", "serve_load.py"), *args, "--json"],
                       capture_output=True, timeout=timeout)
    print(r.stdout.decode()[-3000:], r.stderr.decode()[-2000:])
    try:
        return r.returncode, json.loads(r.stdout.decode())
    except ValueError:
        return r.returncode, {}


def scenario_load():
    with Server("--max-streams", "8", "--max-queue", "64") as s:
        rc, rep = load_tool("--url", s.url, "--clients", "64", "--max-audio-ms", "240", "--verify-solo",
                            "--deadline", "200", "--timeout", "150")
        check(rep.get("completed") == 64 and rep.get("failed") == 0, f"64 concurrent clients all complete ({rep.get('completed')})")
        check(rep.get("solo_mismatches") == [], "each client's audio equals its solo run (same seed)")
        check(rep.get("ttfa_p50_ms") is not None and rep.get("ttfa_p99_ms") is not None and
              rep.get("realtime_streams") is not None, "TTFA p50/p99 and real-time streams reported")
        check(rc == 0, "serve_load exit 0")
        check(s.metric("csm_active_streams") == 0 and s.metric("csm_queued_requests") == 0, "nothing left running")


def scenario_nginx():
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if not nginx:
        print("skipped: no nginx (apt-get install nginx-light)")
        return SKIP
    work = tempfile.mkdtemp(dir=BASE, prefix="csm-nginx-")
    a = Server("--max-streams", "4", "--max-queue", "64", workdir=work)
    b = Server("--max-streams", "4", "--max-queue", "64", workdir=work)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        front = probe.getsockname()[1]
    site = open(os.path.join(SRC, "deploy", "nginx", "csm-serve.conf")).read()
    # The shipped configuration, its upstream servers replaced by the two local instances.
    upstream = re.search(r"upstream csm_serve \{.*?\n\}", site, re.S).group(0)
    local = re.sub(r"\n\s*server\s+[^;]+;", "", upstream)
    local = local.replace("least_conn;", f"least_conn;\n  server 127.0.0.1:{a.port} max_fails=3 fail_timeout=10s;"
                          f"\n  server 127.0.0.1:{b.port} max_fails=3 fail_timeout=10s;")
    site = site.replace(upstream, local)
    site = re.sub(r"listen\s+[^;]+;", f"listen 127.0.0.1:{front};", site)
    site = site.replace("server_name _;", "server_name localhost;")
    open(f"{work}/csm-serve.conf", "w").write(site)
    open(f"{work}/nginx.conf", "w").write(f"""
daemon off;
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log {work}/access.log;
  client_body_temp_path {work}/body;
  proxy_temp_path {work}/proxy;
  fastcgi_temp_path {work}/fastcgi;
  uwsgi_temp_path {work}/uwsgi;
  scgi_temp_path {work}/scgi;
  include {work}/csm-serve.conf;
}}
""")
    ng = subprocess.Popen([nginx, "-p", work, "-c", f"{work}/nginx.conf"], stdout=subprocess.DEVNULL,
                          stderr=subprocess.STDOUT)
    try:
        def front_ready():
            try:
                c = http.client.HTTPConnection("127.0.0.1", front, timeout=2)
                c.request("GET", "/ready")
                return c.getresponse().status == 200
            except OSError:
                return False
        check(wait_until(front_ready, 20), "nginx in front of two csm-serve")
        result = {}

        def run_load():
            result["rc"], result["rep"] = load_tool("--url", f"http://127.0.0.1:{front}", "--clients", "16",
                                                    "--rounds", "3", "--max-audio-ms", "800", "--deadline", "240")
        t = threading.Thread(target=run_load)
        t.start()
        # Mid-run: one instance drains on SIGTERM.
        check(wait_until(lambda: (a.metric("csm_active_streams") or 0) > 0 and (b.metric("csm_active_streams") or 0) > 0,
                         60), "least_conn spreads the load over both")
        a.proc.send_signal(signal.SIGTERM)
        try:
            rc_a = a.proc.wait(120)
        except subprocess.TimeoutExpired:
            rc_a = None
        check(rc_a == 0, f"the drained instance exits 0 ({rc_a})")
        t.join(260)
        rep = result.get("rep", {})
        check(rep.get("completed") == 48 and rep.get("failed") == 0,
              f"no request lost: {rep.get('completed')}/48 completed, errors {rep.get('errors')}")
    finally:
        ng.send_signal(signal.SIGQUIT)
        try:
            ng.wait(20)
        except subprocess.TimeoutExpired:
            ng.kill()
        a.stop()
        b.stop()
        if failures:
            for f in ("error.log",):
                p = os.path.join(work, f)
                if os.path.exists(p):
                    print(f"--- nginx {f} ---\n" + open(p).read()[-3000:])


def scenario_k8s():
    py = VENV_PY if VENV_PY and os.path.exists(VENV_PY) else sys.executable
    r = subprocess.run([py, os.path.join(SRC, "deploy", "check_manifests.py"), os.path.join(SRC, "deploy", "k8s")],
                       capture_output=True, timeout=120)
    print(r.stdout.decode()[-3000:], r.stderr.decode()[-2000:])
    check(r.returncode == 0, "deploy/k8s manifests pass the offline check")


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    if sys.argv[1] != "k8s" and not (BIN and os.path.exists(BIN)):
        print("CSM_SERVE_BIN is not set to the csm-serve binary")
        return 2
    rc = globals()["scenario_" + sys.argv[1]]()
    if not failures:
        shutil.rmtree(BASE, ignore_errors=True)
    else:
        print("logs and files kept in", BASE)
    if rc == SKIP:
        return SKIP
    print(f"{sys.argv[1]}: {'FAILED: ' + '; '.join(failures) if failures else 'all checks passed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
