#!/usr/bin/python3
"""End-to-end check of the alert stream from a Python (pyzmq) subscriber.

Starts wirewatchd on a temporary config with one directory source and one rule,
subscribes to "alerts.", drops the seed records into the watched folder and
checks every field of every alert against docs/alerts.md (schema 1).

Usage: python_subscriber.py --wirewatchd PATH --seeds DIR
Exit status 0 on success, 1 on failure (the daemon's log is printed).
Standard library plus zmq (Debian: python3-zmq) only.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

import zmq

RULE_ID = "wagner-instructors"
TOPIC = "alerts.wagner"
EXPECTED_SEEDS = ("000", "003", "004")  # seeds whose records the rule matches
ALL_SEEDS = ("000", "001", "002", "003", "004")
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
SEED_NAME_RE = re.compile(r"^(\d+)_([0-9a-f]{16})\.txt$")

CONFIG = """\
state_dir: state
rules: rules.yaml
publish:
  endpoint: tcp://127.0.0.1:*
sources:
  - id: inbox
    type: directory
    path: inbox
log:
  level: debug
"""

RULES = """\
rules:
  - id: wagner-instructors
    query: Wagner AND instructors
    topic: alerts.wagner
    severity: high
    description: Wagner personnel acting as instructors
"""


class Failure(Exception):
    pass


def check(cond, message):
    if not cond:
        raise Failure(message)


def is_space(ch):
    """The record format's notion of white space (common/text: is_space)."""
    cp = ord(ch)
    if ch == " " or 0x09 <= cp <= 0x0D:
        return True
    if cp < 0x80:
        return False
    return unicodedata.category(ch) in ("Zs", "Zl", "Zp") or cp == 0x85


def parse_record(data):
    """(title, body) of a record file: title = line 1; body = its paragraphs
    (runs of non-blank lines) joined by exactly one blank line, which is the
    text hit offsets count into."""
    text = data.decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").rstrip("\n")
    lines = text.split("\n")
    title, rest = lines[0], lines[1:]
    paragraphs, current = [], []
    for line in rest:
        if all(is_space(c) for c in line):
            if current:
                paragraphs.append("\n".join(current))
            current = []
        else:
            current.append(line)
    if current:
        paragraphs.append("\n".join(current))
    return title, "\n\n".join(paragraphs)


def find_nulls(value, path="$"):
    if value is None:
        return [path]
    out = []
    if isinstance(value, dict):
        for k, v in value.items():
            out += find_nulls(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += find_nulls(v, f"{path}[{i}]")
    return out


def load_seeds(seed_dir):
    seeds = {}
    for p in sorted(Path(seed_dir).glob("*.txt")):
        m = SEED_NAME_RE.match(p.name)
        if m:
            seeds[m.group(1)] = (m.group(2), p)
    for n in ALL_SEEDS:
        check(n in seeds, f"seed {n}_<id>.txt not found in {seed_dir}")
    return seeds


def wait_for_endpoint(proc, endpoints_file, deadline_s=20.0):
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise Failure(f"wirewatchd exited early with status {proc.returncode}")
        try:
            data = json.loads(endpoints_file.read_text(encoding="utf-8"))
            eps = data["publish"]
            if eps:
                check(isinstance(eps, list) and all(isinstance(e, str) for e in eps),
                      f"endpoints.json: `publish` is not a list of strings: {data!r}")
                check(re.match(r"^tcp://127\.0\.0\.1:\d+$", eps[0]) is not None,
                      f"endpoints.json: unexpected endpoint {eps[0]!r}")
                return eps[0]
        except (FileNotFoundError, json.JSONDecodeError, KeyError):
            pass
        time.sleep(0.05)
    raise Failure(f"{endpoints_file} did not appear within {deadline_s:.0f} s")


def receive_alerts(sub, want, deadline_s=30.0, grace_s=1.5):
    """Two-frame messages until `want` arrived or the deadline, then `grace_s` more."""
    messages = []
    poller = zmq.Poller()
    poller.register(sub, zmq.POLLIN)
    end = time.monotonic() + deadline_s
    grace_end = None
    while True:
        now = time.monotonic()
        if grace_end is None and len(messages) >= want:
            grace_end = now + grace_s
        stop = grace_end if grace_end is not None else end
        if now >= stop:
            break
        if poller.poll(timeout=max(1, int((stop - now) * 1000))):
            messages.append(sub.recv_multipart())
    return messages


def check_alert(frames, index, by_id):
    check(len(frames) == 2, f"message {index}: expected 2 frames, got {len(frames)}")
    topic = frames[0].decode("utf-8")
    check(topic == TOPIC, f"message {index}: topic frame {topic!r}, expected {TOPIC!r}")
    a = json.loads(frames[1].decode("utf-8"))
    where = f"alert {index}"
    check(isinstance(a, dict), f"{where}: payload is not a JSON object")
    nulls = find_nulls(a)
    check(not nulls, f"{where}: null values at {nulls}")

    check(a.get("schema") == 1, f"{where}: schema {a.get('schema')!r}, expected 1")
    check(a.get("seq") == index + 1, f"{where}: seq {a.get('seq')!r}, expected {index + 1}")
    check(a.get("rule") == RULE_ID, f"{where}: rule {a.get('rule')!r}")
    check(a.get("topic") == TOPIC, f"{where}: topic {a.get('topic')!r}")
    check(a.get("severity") == "high", f"{where}: severity {a.get('severity')!r}")
    check(isinstance(a.get("time"), str) and TIME_RE.match(a["time"]),
          f"{where}: time {a.get('time')!r}")

    rec = a.get("record")
    check(isinstance(rec, dict), f"{where}: record is not an object")
    rid = rec.get("id")
    check(rid in by_id, f"{where}: record id {rid!r} is not one of the seeds")
    check(a.get("alert_id") == f"{RULE_ID}:{rid}", f"{where}: alert_id {a.get('alert_id')!r}")
    title, body = by_id[rid]
    check(rec.get("title") == title, f"{where}: record.title {rec.get('title')!r}, expected {title!r}")
    check(rec.get("source") == "inbox", f"{where}: record.source {rec.get('source')!r}")
    check(isinstance(rec.get("fetched"), str) and TIME_RE.match(rec["fetched"]),
          f"{where}: record.fetched {rec.get('fetched')!r}")
    check("url" not in rec, f"{where}: record has a url key: {rec.get('url')!r}")
    check("published" not in rec, f"{where}: record has a published key")

    check(a.get("matched") == ["Wagner", "instructors"], f"{where}: matched {a.get('matched')!r}")

    hits = a.get("hits")
    check(isinstance(hits, list) and hits, f"{where}: hits is empty or not a list")
    fields = {"title": title, "body": body}
    for j, h in enumerate(hits):
        hw = f"{where}: hits[{j}]"
        check(isinstance(h, dict) and set(h) == {"term", "field", "offset", "length"},
              f"{hw}: unexpected shape {h!r}")
        check(h["field"] in fields, f"{hw}: field {h['field']!r}")
        check(isinstance(h["offset"], int) and isinstance(h["length"], int)
              and h["offset"] >= 0 and h["length"] > 0, f"{hw}: offset/length {h!r}")
        text = fields[h["field"]]
        check(h["offset"] + h["length"] <= len(text), f"{hw}: {h!r} runs past the {h['field']}")
        got = text[h["offset"]:h["offset"] + h["length"]]
        check(got.casefold() == h["term"].casefold(),
              f"{hw}: {h['field']}[{h['offset']}:{h['offset'] + h['length']}] is {got!r}, "
              f"term {h['term']!r}")

    snippet = a.get("snippet")
    check(isinstance(snippet, str) and snippet, f"{where}: snippet is empty or not a string")
    check(len(snippet) <= 300, f"{where}: snippet has {len(snippet)} characters (max 300)")
    terms = {h["term"].casefold() for h in hits}
    check(any(t in snippet.casefold() for t in terms),
          f"{where}: snippet contains none of {sorted(terms)}: {snippet!r}")
    return rid


def run(args, tmp):
    seeds = load_seeds(args.seeds)
    by_id = {}
    for rid, path in seeds.values():
        by_id[rid] = parse_record(path.read_bytes())

    (tmp / "wirewatch.yaml").write_text(CONFIG, encoding="utf-8")
    (tmp / "rules.yaml").write_text(RULES, encoding="utf-8")
    (tmp / "inbox").mkdir()
    log_path = tmp / "wirewatchd.log"

    with open(log_path, "wb") as log:
        proc = subprocess.Popen([args.wirewatchd, "--config", str(tmp / "wirewatch.yaml")],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    ctx = zmq.Context()
    sub = ctx.socket(zmq.SUB)
    sub.setsockopt(zmq.LINGER, 0)
    try:
        endpoint = wait_for_endpoint(proc, tmp / "state" / "endpoints.json")
        sub.connect(endpoint)
        sub.setsockopt(zmq.SUBSCRIBE, b"alerts.")
        time.sleep(1.0)  # let the subscription reach the publisher (slow joiner)

        for n in ALL_SEEDS:
            _, path = seeds[n]
            shutil.copyfile(path, tmp / "inbox" / path.name)

        messages = receive_alerts(sub, want=len(EXPECTED_SEEDS))
        check(proc.poll() is None, f"wirewatchd exited with status {proc.returncode}")
        got = [check_alert(frames, i, by_id) for i, frames in enumerate(messages)]
        want = [seeds[n][0] for n in EXPECTED_SEEDS]
        check(sorted(got) == sorted(want),
              f"alerts for records {got}, expected exactly {want} (seeds {', '.join(EXPECTED_SEEDS)})")

        proc.send_signal(signal.SIGTERM)
        try:
            status = proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            raise Failure("wirewatchd did not stop within 15 s of SIGTERM")
        check(status == 0, f"wirewatchd exited with status {status} after SIGTERM, expected 0")
        return len(got)
    finally:
        sub.close(0)
        ctx.term()
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wirewatchd", required=True, help="path to the wirewatchd binary")
    parser.add_argument("--seeds", required=True, help="folder of NNN_<16 hex>.txt seed records")
    args = parser.parse_args()
    args.wirewatchd = os.path.abspath(args.wirewatchd)

    tmp = Path(tempfile.mkdtemp(prefix="wirewatch-pysub-"))
    try:
        n = run(args, tmp)
        print(f"PASS python_subscriber: {n} alerts on {TOPIC}, schema 1, clean SIGTERM stop")
        return 0
    except Exception as e:  # Failure, or anything unexpected: show the daemon's side
        kind = "" if isinstance(e, Failure) else f"{type(e).__name__}: "
        print(f"FAIL python_subscriber: {kind}{e}", file=sys.stderr)
        log_path = tmp / "wirewatchd.log"
        if log_path.exists():
            print("---- wirewatchd log ----", file=sys.stderr)
            print(log_path.read_text(encoding="utf-8", errors="replace"), file=sys.stderr)
            print("---- end of log ----", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
