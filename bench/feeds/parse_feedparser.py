#!/usr/bin/python3
"""feedparser's side of the parsing benchmark (bench/feeds/run_parse.sh).

  parse_feedparser.py [--seconds S] FILE...

Reads every file into memory, then parses the whole set with feedparser.parse
(its defaults: relative URIs resolved, HTML sanitized), with the same base URL
and Content-Type wirewatch gets, as many times as fit in S seconds of CPU time
(at least once). Prints one JSON object: feeds, bytes, entries, bozo,
cpu_seconds, wall_seconds, feeds_per_s and mb_per_s (per CPU second).
"""
import json
import os
import sys
import time

import feedparser


def main():
    args = sys.argv[1:]
    seconds = 3.0
    if args[:1] == ["--seconds"]:
        seconds = float(args[1])
        args = args[2:]
    feeds = []
    for path in args:
        with open(path, "rb") as f:
            feeds.append(("https://bench.example/feeds/" + os.path.basename(path), f.read()))
    total_bytes = sum(len(b) for _, b in feeds)
    passes = entries = bozo = 0
    start = time.process_time()
    wall_start = time.perf_counter()
    while True:
        entries = bozo = 0
        for url, data in feeds:
            d = feedparser.parse(data, response_headers={"content-location": url, "content-type": "application/xml"})
            entries += len(d.entries)
            bozo += 1 if d.bozo else 0
        passes += 1
        elapsed = time.process_time() - start
        if elapsed >= seconds:
            break
    print(json.dumps({
        "parser": f"feedparser {feedparser.__version__}",
        "feeds": len(feeds), "bytes": total_bytes, "entries": entries, "bozo": bozo,
        "passes": passes, "cpu_seconds": round(elapsed, 3),
        "wall_seconds": round(time.perf_counter() - wall_start, 3),
        "feeds_per_s": round(len(feeds) * passes / elapsed, 2),
        "mb_per_s": round(total_bytes * passes / elapsed / 1e6, 3),
    }))


if __name__ == "__main__":
    main()
