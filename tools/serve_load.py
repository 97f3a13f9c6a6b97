#!/usr/bin/env python3
"""Load test for csm-serve (or anything speaking POST /v1/audio/speech).

N concurrent streaming clients, each with its own text and seed; reports time to
first audio (p50/p99), per-client RTF and the aggregate real-time streams the
server sustained (total audio seconds / wall seconds). Bounded: every client has
a timeout, and the run a total deadline. Standard library only.

  tools/serve_load.py --url http://127.0.0.1:8000 --clients 64 --max-audio-ms 2000
  tools/serve_load.py --url ... --clients 64 --verify-solo   # also: each client's
      audio equals its solo run (same seed), requested alone afterwards

Exit status: 0 all completed (and matched), 1 otherwise.
"""
import argparse
import array
import concurrent.futures as cf
import http.client
import json
import sys
import threading
import time
import urllib.parse


def percentile(values, p):
    if not values:
        return None
    v = sorted(values)
    k = (len(v) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def speech(url, body, timeout, api_key=None, retries_429=0):
    """One streaming request; returns dict(status, audio bytes, ttfa_s, wall_s, error)."""
    u = urllib.parse.urlparse(url)
    headers = {"Content-Type": "application/json"}
    if api_key:
        headers["Authorization"] = "Bearer " + api_key
    attempt = 0
    while True:
        t0 = time.monotonic()
        conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=timeout)
        try:
            conn.request("POST", (u.path.rstrip("/") or "") + "/v1/audio/speech", json.dumps(body), headers)
            resp = conn.getresponse()
            if resp.status == 429 and attempt < retries_429:
                wait = float(resp.getheader("Retry-After") or 1)
                resp.read()
                conn.close()
                attempt += 1
                time.sleep(wait)
                continue
            if resp.status != 200:
                return {"status": resp.status, "audio": b"", "ttfa_s": None, "wall_s": time.monotonic() - t0,
                        "error": resp.read().decode("utf-8", "replace")[:300]}
            audio = bytearray()
            ttfa = None
            while True:
                piece = resp.read1(65536) if hasattr(resp, "read1") else resp.read(4096)
                if not piece:
                    break
                if ttfa is None:
                    ttfa = time.monotonic() - t0
                audio += piece
            return {"status": 200, "audio": bytes(audio), "ttfa_s": ttfa, "wall_s": time.monotonic() - t0,
                    "error": None}
        except Exception as e:  # a cut stream, a refused connection, a timeout
            return {"status": 0, "audio": b"", "ttfa_s": None, "wall_s": time.monotonic() - t0,
                    "error": f"{type(e).__name__}: {e}"}
        finally:
            conn.close()


def same_pcm(a, b):
    """The same 16-bit PCM up to one step: streams decoded batched with others sum in
    another float order than alone (within 1e-5), which may round a sample either way."""
    if a == b:
        return True
    if len(a) != len(b) or len(a) % 2:
        return False
    x, y = array.array("h", a), array.array("h", b)
    return all(abs(p - q) <= 1 for p, q in zip(x, y))


def request_body(i, args):
    return {"model": args.model, "input": f"Client number {i} says hello to the server.", "voice": args.voice,
            "response_format": "pcm", "seed": args.seed + i, "temperature": args.temperature,
            "max_audio_ms": args.max_audio_ms}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True, help="base URL, e.g. http://127.0.0.1:8000")
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=1, help="requests per client, one after another")
    ap.add_argument("--max-audio-ms", type=int, default=2000)
    ap.add_argument("--temperature", type=float, default=0.9)
    ap.add_argument("--seed", type=int, default=1000)
    ap.add_argument("--model", default="csm-1b")
    ap.add_argument("--voice", default="alloy")
    ap.add_argument("--api-key")
    ap.add_argument("--timeout", type=float, default=120.0, help="per request, seconds")
    ap.add_argument("--deadline", type=float, default=600.0, help="whole run, seconds")
    ap.add_argument("--retry-429", type=int, default=0, help="retries after a 429 (honouring Retry-After)")
    ap.add_argument("--verify-solo", action="store_true",
                    help="re-run each request alone; audio must be equal (to one PCM step)")
    ap.add_argument("--sample-rate", type=int, default=24000)
    ap.add_argument("--json", action="store_true", help="print the report as JSON")
    args = ap.parse_args(argv)

    bytes_per_s = 2 * args.sample_rate
    results = [None] * (args.clients * args.rounds)
    first_audio = [0]
    lock = threading.Lock()

    def client(i):
        for r in range(args.rounds):
            res = speech(args.url, request_body(i, args), args.timeout, args.api_key, args.retry_429)
            results[i * args.rounds + r] = res
            with lock:
                if res["ttfa_s"] is not None and r == 0:
                    first_audio[0] += 1

    t0 = time.monotonic()
    with cf.ThreadPoolExecutor(max_workers=args.clients) as pool:
        futures = [pool.submit(client, i) for i in range(args.clients)]
        done, pending = cf.wait(futures, timeout=args.deadline)
    wall = time.monotonic() - t0
    ok = [r for r in results if r and r["status"] == 200 and r["audio"]]
    failed = [r for r in results if not r or r["status"] != 200 or not r["audio"]]
    audio_s = sum(len(r["audio"]) for r in ok) / bytes_per_s
    ttfa = [r["ttfa_s"] for r in ok if r["ttfa_s"] is not None]
    rtf = [r["wall_s"] / (len(r["audio"]) / bytes_per_s) for r in ok]
    report = {
        "url": args.url, "clients": args.clients, "rounds": args.rounds, "requests": len(results),
        "completed": len(ok), "failed": len(failed), "wall_s": round(wall, 3), "audio_s": round(audio_s, 3),
        "ttfa_p50_ms": round(1000 * percentile(ttfa, 50), 1) if ttfa else None,
        "ttfa_p99_ms": round(1000 * percentile(ttfa, 99), 1) if ttfa else None,
        "rtf_p50": round(percentile(rtf, 50), 3) if rtf else None,
        "realtime_streams": round(audio_s / wall, 3) if wall > 0 else None,
        "errors": sorted({(r or {}).get("error") or f"status {(r or {}).get('status')}" for r in failed})[:10],
    }
    if args.verify_solo and not failed:
        mismatched = []
        for i in range(args.clients):
            solo = speech(args.url, request_body(i, args), args.timeout, args.api_key, args.retry_429)
            if solo["status"] != 200 or not same_pcm(solo["audio"], results[i * args.rounds]["audio"]):
                mismatched.append(i)
        report["solo_mismatches"] = mismatched
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"csm-serve load: {report['completed']}/{report['requests']} completed in {report['wall_s']} s, "
              f"{report['audio_s']} s of audio")
        print(f"  time to first audio: p50 {report['ttfa_p50_ms']} ms, p99 {report['ttfa_p99_ms']} ms")
        print(f"  aggregate real-time streams: {report['realtime_streams']} (per-request RTF p50 {report['rtf_p50']})")
        if "solo_mismatches" in report:
            print(f"  audio equal to the solo run: {args.clients - len(report['solo_mismatches'])}/{args.clients}")
        for e in report["errors"]:
            print("  error:", e)
    good = not failed and not pending and not report.get("solo_mismatches")
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
