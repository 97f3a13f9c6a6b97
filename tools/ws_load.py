#!/usr/bin/env python3
"""Load test for csm-serve's WebSocket speech sessions (GET /v1/audio/speech/stream).

N concurrent clients, each streams its own text word by word at an LLM's pace
(--words-per-s) and reads the audio back. Reports the time to first audio from the
first text.delta (p50/p99), the same from the moment the first sentence was complete
(what a voice agent waits for beyond its LLM), and the real-time streams sustained.
Needs the `websockets` package (pip install websockets). Bounded: every client has a
timeout.

  tools/ws_load.py --url ws://127.0.0.1:8000 --clients 16 --words-per-s 20

Exit status: 0 every session completed with audio, 1 otherwise.
"""
import argparse
import asyncio
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_load import percentile  # noqa: E402  (the same p50/p99 as the HTTP load test)

try:
    import websockets
except ImportError:
    sys.exit("ws_load.py needs the websockets package: pip install websockets")

TEXTS = [
    "Sure, here is the plan. First we check the logs, then we restart the service.",
    "Good question! The short answer is yes. The long answer takes a minute.",
    "I found three results. The first one looks closest to what you asked for.",
    "Let me think about that. It depends on the size of the input and the machine.",
]


async def client(i, args):
    text = TEXTS[i % len(TEXTS)]
    headers = {"Authorization": "Bearer " + args.api_key} if args.api_key else {}
    out = {"ok": False, "ttfa_s": None, "after_sentence_s": None, "audio_s": 0.0, "error": None}
    try:
        async with websockets.connect(args.url.rstrip("/") + "/v1/audio/speech/stream", additional_headers=headers,
                                      max_size=None, open_timeout=args.timeout) as ws:
            start = {"type": "session.start", "model": "csm-1b", "voice": args.voice, "seed": 1000 + i,
                     "max_audio_ms": args.max_audio_ms, "response_format": "pcm"}
            await ws.send(json.dumps(start))
            first_delta = sentence_done = first_audio = None
            audio_bytes = 0

            async def writer():
                nonlocal first_delta, sentence_done
                words = text.split(" ")
                for k, w in enumerate(words):
                    await ws.send(json.dumps({"type": "text.delta", "text": w if k == 0 else " " + w}))
                    now = time.monotonic()
                    first_delta = first_delta or now
                    if sentence_done is None and k > 0 and words[k - 1][-1] in ".!?":
                        sentence_done = now  # the space after the first sentence's mark
                    await asyncio.sleep(1.0 / args.words_per_s)
                await ws.send(json.dumps({"type": "text.done"}))

            task = asyncio.create_task(writer())
            deadline = time.monotonic() + args.timeout
            done = None
            while done is None:
                m = await asyncio.wait_for(ws.recv(), max(0.01, deadline - time.monotonic()))
                if isinstance(m, bytes):
                    audio_bytes += len(m)
                    first_audio = first_audio or time.monotonic()
                    continue
                e = json.loads(m)
                if e["type"] == "session.done":
                    done = e
                elif e["type"] == "error" and e["error"].get("code") not in ("idle_timeout",):
                    out["error"] = e["error"]["message"]
            await task
            out["ok"] = done["stop"] != "failed" and audio_bytes > 0
            out["audio_s"] = audio_bytes / 2 / 24000
            if first_audio and first_delta:
                out["ttfa_s"] = first_audio - first_delta
            if first_audio and sentence_done:
                out["after_sentence_s"] = first_audio - sentence_done
    except Exception as e:  # one client's failure is a result, not the end of the run
        out["error"] = repr(e)
    return out


async def main(args):
    t0 = time.monotonic()
    results = await asyncio.gather(*[client(i, args) for i in range(args.clients)])
    wall = time.monotonic() - t0
    ttfa = [r["ttfa_s"] for r in results if r["ttfa_s"] is not None]
    after = [r["after_sentence_s"] for r in results if r["after_sentence_s"] is not None]
    report = {
        "clients": args.clients,
        "completed": sum(r["ok"] for r in results),
        "words_per_s": args.words_per_s,
        "ttfa_from_first_delta_s": {"p50": percentile(ttfa, 50), "p99": percentile(ttfa, 99)},
        "ttfa_after_first_sentence_s": {"p50": percentile(after, 50), "p99": percentile(after, 99)},
        "audio_s": sum(r["audio_s"] for r in results),
        "wall_s": wall,
        "realtime_streams": sum(r["audio_s"] for r in results) / wall if wall > 0 else 0,
        "errors": [r["error"] for r in results if r["error"]][:5],
    }
    print(json.dumps(report, indent=2))
    return 0 if report["completed"] == args.clients else 1


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", default="ws://127.0.0.1:8000")
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--words-per-s", type=float, default=20.0, help="the pace text arrives at (an LLM's)")
    p.add_argument("--max-audio-ms", type=int, default=20000)
    p.add_argument("--voice", default="alloy")
    p.add_argument("--api-key", default=None)
    p.add_argument("--timeout", type=float, default=600.0, help="seconds per client")
    a = p.parse_args()
    if a.clients < 1 or a.words_per_s <= 0:
        sys.exit("--clients must be >= 1 and --words-per-s > 0")
    sys.exit(asyncio.run(main(a)))
