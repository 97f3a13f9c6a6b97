#!/usr/bin/env python3
"""csm-serve's WebSocket speech sessions (GET /v1/audio/speech/stream) with a real client
from PyPI (websockets), on loopback with the demo model: text fed word by word, audio
before the text is complete, the same audio as the complete text, cancel, a dropped
client, 16 sessions at once, bad messages and the key.

Run with the venv's python (tests/server/setup_venv.sh); CSM_SERVE_BIN as serve_test.py.
Exit 0 pass, 1 fail, 77 skipped.
"""
import asyncio
import json
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_test  # noqa: E402  (its Server and check)
from serve_test import Server, check, failures  # noqa: E402

try:
    import websockets
except ImportError:
    print("skipped: no websockets module (run with the venv of tests/server/setup_venv.sh)")
    sys.exit(77)

WAIT = 120  # seconds: every wait is bounded, generous for a loaded 2-core machine


def start_msg(**kw):
    m = {"type": "session.start", "model": "csm-1b", "voice": "alloy", "seed": 5, "length_guard": 0}
    m.update(kw)
    return json.dumps(m)


def delta(text):
    return json.dumps({"type": "text.delta", "text": text})


class Session:
    """One client: what it sent and heard, in order."""

    def __init__(self, ws):
        self.ws, self.events, self.audio, self.first_audio_at = ws, [], bytearray(), None

    async def recv_until(self, done, timeout=WAIT):
        """Reads messages until done(self) holds (or the socket closes); False on timeout."""
        deadline = time.monotonic() + timeout
        while not done(self):
            try:
                m = await asyncio.wait_for(self.ws.recv(), max(0.01, deadline - time.monotonic()))
            except (asyncio.TimeoutError, websockets.ConnectionClosed):
                return done(self)
            if isinstance(m, bytes):
                self.audio += m
                if self.first_audio_at is None:
                    self.first_audio_at = time.monotonic()
            else:
                self.events.append(json.loads(m))
        return True

    def of(self, kind):
        return [e for e in self.events if e["type"] == kind]


def ended(s):
    return any(e["type"] == "session.done" for e in s.events)


async def speak(port, text, pace_words, **start):
    """Speaks `text`: word by word (holding after the first sentence until audio comes),
    or all in session.start's input."""
    async with websockets.connect(f"ws://127.0.0.1:{port}/v1/audio/speech/stream", max_size=None) as ws:
        s = Session(ws)
        if not pace_words:
            await ws.send(start_msg(input=text, **start))
            await ws.send(json.dumps({"type": "text.done"}))
            await s.recv_until(ended)
            return s, None
        await ws.send(start_msg(**start))
        words = text.split(" ")
        heard_before_done = None
        for i, w in enumerate(words):
            await ws.send(delta(w if i == 0 else " " + w))
            await asyncio.sleep(0.05)  # an LLM's pace
            if heard_before_done is None and i > 0 and words[i - 1].endswith("."):
                heard_before_done = await s.recv_until(lambda s: s.first_audio_at is not None)
        await ws.send(json.dumps({"type": "text.done"}))
        await s.recv_until(ended)
        return s, heard_before_done


def pcm_close(a, b):
    if len(a) != len(b):
        return False
    import struct
    n = len(a) // 2
    x, y = struct.unpack(f"<{n}h", a), struct.unpack(f"<{n}h", b)
    return max((abs(p - q) for p, q in zip(x, y)), default=0) <= 1  # batched Mimi: at most one PCM step


async def scenario_text_in_audio_out(s):
    text = "Hi there. Go on. Bye now."
    paced, heard = await speak(s.port, text, True)
    check(heard is True, "the first sentence is heard before the rest of the text is sent")
    pieces = [e["text"] for e in paced.of("piece.started")]
    check(pieces == ["Hi there.", "Go on.", "Bye now."], f"each sentence is a piece, in order ({pieces})")
    done = paced.of("session.done")
    check(len(done) == 1 and done[0]["pieces"] == 3 and done[0]["stop"] in ("max_length", "end_of_speech"),
          f"session.done with the pieces and the stop ({done})")
    chunks = paced.of("audio.chunk")
    check(len(chunks) > 0 and sum(c["bytes"] for c in chunks) == len(paced.audio) and
          all(c["samples"] * 2 == c["bytes"] for c in chunks), "every binary message is announced by an audio.chunk")
    check([e["piece"] for e in paced.of("piece.done")] == [0, 1, 2], "piece.done after each piece")
    check(done and done[0]["frames"] * 1920 * 2 == len(paced.audio), "the audio is every frame's, 16-bit PCM")
    check(done and done[0]["usage"]["input_characters"] == len(text), "usage counts the text's characters")
    at_once, _ = await speak(s.port, text, False)
    check([e["text"] for e in at_once.of("piece.started")] == pieces, "the complete text cuts into the same pieces")
    check(pcm_close(bytes(paced.audio), bytes(at_once.audio)),
          f"the same pieces make the same audio however the text arrived ({len(paced.audio)} vs {len(at_once.audio)} bytes)")
    opus, _ = await speak(s.port, "Opus please.", False, response_format="opus", max_audio_ms=800)
    check(bytes(opus.audio[:4]) == b"OggS" and ended(opus), "response_format opus: Ogg/Opus binary messages")


async def scenario_cancel_and_disconnect(s):
    url = f"ws://127.0.0.1:{s.port}/v1/audio/speech/stream"
    async with websockets.connect(url) as ws:
        c = Session(ws)
        await ws.send(start_msg(input="This sentence would go on for a long while.", max_audio_ms=60000))
        await ws.send(json.dumps({"type": "text.done"}))
        await c.recv_until(lambda c: c.first_audio_at is not None)
        frames_heard = sum(e["frames"] for e in c.of("audio.chunk"))
        sent = time.monotonic()
        await ws.send(json.dumps({"type": "cancel"}))
        await c.recv_until(ended)
        took = time.monotonic() - sent
        done = c.of("session.done")
        check(done and done[0]["stop"] == "cancelled", f"cancel ends the session: stop cancelled ({done})")
        check(done and done[0]["frames"] - frames_heard <= 8,
              f"cancel stops within a chunk's frames ({done and done[0]['frames'] - frames_heard} more frames, {took:.2f} s)")
        await asyncio.wait_for(ws.wait_closed(), WAIT)
        check(ws.close_code == 1000, f"then the server closes normally ({ws.close_code} {ws.close_reason})")
    # A client that vanishes mid-speech frees its slot: the next session (one slot, no queue) runs.
    ws = await websockets.connect(url)
    d = Session(ws)
    await ws.send(start_msg(input="Another long sentence that keeps going.", max_audio_ms=60000))
    await d.recv_until(lambda d: d.first_audio_at is not None)
    ws.transport.abort()
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline and s.metric("csm_active_streams") != 0:
        await asyncio.sleep(0.1)
    check(s.metric("csm_active_streams") == 0, "a dropped client's stream ends and its slot is free")
    e, _ = await speak(s.port, "After the drop.", False, max_audio_ms=400)
    check(ended(e) and e.of("session.done")[0]["stop"] != "failed", "the next session gets the slot")


async def scenario_bad_messages(s):
    url = f"ws://127.0.0.1:{s.port}/v1/audio/speech/stream"
    async with websockets.connect(url) as ws:
        c = Session(ws)

        async def expect_error(message, code, what):
            n = len(c.of("error"))
            await ws.send(message)
            await c.recv_until(lambda c: len(c.of("error")) > n, timeout=30)
            errors = c.of("error")
            got = errors[-1]["error"]["code"] if len(errors) > n else None
            check(got == code, f"{what}: an error event {code} ({got})")

        await expect_error("not json", "invalid_json", "not JSON")
        await expect_error(b"\x00\x01", "invalid_message", "a binary message")
        await expect_error(json.dumps({"type": "text.delta", "text": "x"}), "no_session", "text before session.start")
        await expect_error(json.dumps({"type": "dance"}), "unknown_type", "an unknown type")
        await expect_error(json.dumps([1, 2]), "invalid_json", "not an object")
        await expect_error(start_msg(voice="nobody"), "voice_not_found", "an unknown voice")
        await expect_error(start_msg(response_format="mp3"), "unsupported_value", "a format the socket does not stream")
        await expect_error(start_msg(sample_rate=16000), "unsupported_value", "another sample rate")
        await expect_error(start_msg(temperature=9), "invalid_value", "a knob out of range")
        # ... and the session is still usable.
        await ws.send(start_msg(max_audio_ms=400))
        await c.recv_until(lambda c: c.of("session.started"), timeout=30)
        check(len(c.of("session.started")) == 1, "after the errors a session starts on the same socket")
        await expect_error(start_msg(), "session_active", "a second session.start")
        await expect_error(delta("x" * 5000), "input_too_long", "more text than --max-input-chars")
        await ws.send(delta("Still fine."))
        await ws.send(json.dumps({"type": "text.done"}))
        await expect_error(delta("late"), "text_ended", "text after text.done")
        await c.recv_until(ended)
        check(ended(c), "the session still ends with session.done")
    try:
        async with websockets.connect(url, max_size=None) as ws:
            await ws.send("x" * (70 * 1024))
            await asyncio.wait_for(ws.wait_closed(), 30)
            check(ws.close_code == 1009, f"a message over 64 KiB closes the socket with 1009 ({ws.close_code})")
    except websockets.ConnectionClosed as e:
        check(e.rcvd and e.rcvd.code == 1009, f"a message over 64 KiB closes with 1009 ({e})")
    st, _, body = s.get("/v1/audio/speech/stream")
    check(st == 426 and json.loads(body)["error"]["code"] == "upgrade_required", f"plain GET: 426 ({st})")


async def scenario_many(s):
    async def one(i):
        r, _ = await speak(s.port, f"Client {i} says hi.", False, seed=100 + i, max_audio_ms=400)
        return r
    t0 = time.monotonic()
    results = await asyncio.gather(*[one(i) for i in range(16)])
    ok = [r for r in results if ended(r) and r.of("session.done")[0]["stop"] != "failed" and len(r.audio) > 0]
    check(len(ok) == 16, f"16 concurrent sessions all complete with audio ({len(ok)} in {time.monotonic() - t0:.1f} s)")


async def scenario_key():
    with Server("--api-key", "sekret", "--max-streams", "1") as s:
        url = f"ws://127.0.0.1:{s.port}/v1/audio/speech/stream"
        try:
            async with websockets.connect(url):
                status = 101
        except websockets.InvalidStatus as e:
            status = e.response.status_code
        check(status == 401, f"no key: the upgrade is refused with 401 ({status})")
        async with websockets.connect(url, additional_headers={"Authorization": "Bearer sekret"}) as ws:
            c = Session(ws)
            await ws.send(start_msg(input="With a key.", max_audio_ms=240))
            await ws.send(json.dumps({"type": "text.done"}))
            await c.recv_until(ended)
            check(ended(c), "with the key: a session")


async def main():
    with Server("--max-streams", "1", "--max-queue", "0", "--max-input-chars", "4096") as s:
        await scenario_text_in_audio_out(s)
        await scenario_cancel_and_disconnect(s)
        await scenario_bad_messages(s)
    with Server("--max-streams", "8", "--max-queue", "16") as s:
        await scenario_many(s)
    await scenario_key()


if __name__ == "__main__":
    if not serve_test.BIN:
        print("skipped: CSM_SERVE_BIN is not set")
        sys.exit(77)
    asyncio.run(main())
    if failures:
        print(f"ws_test: {len(failures)} checks failed")
        sys.exit(1)
    shutil.rmtree(serve_test.BASE, ignore_errors=True)  # kept when a check failed, for its logs
    print("ws_test: all checks passed")
