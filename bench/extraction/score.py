#!/usr/bin/python3
"""Scores extractor outputs on a page set with hand-picked segments.

The score, exactly as ../shared/extraction-devset/README.md defines it: for each
page take the body (everything after the first blank line of the record; the
result files here carry the body already), collapse every run of whitespace to
one space in the body and in each segment; each `with` segment found in the body
is a true positive, each one missing a false negative; each `without` segment
found is a false positive, each one missing a true negative. Sums over all
pages; precision = TP/(TP+FP), recall = TP/(TP+FN), F = 2TP/(2TP+FP+FN). A page
whose extraction failed counts all its `with` segments as missed.

usage: score.py --cases cases.json NAME=results.jsonl[:pages_per_s] ... [--misses FILE]
Each results file has one JSON object per line: {"file", "ok", "body"}.
"""
import argparse
import json
import re
import sys

WS = re.compile(r"\s+")


def collapse(s):
    return WS.sub(" ", s)


def load_results(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                r = json.loads(line)
                out[r["file"]] = r
    return out


def score(cases, results, misses=None):
    tp = fn = fp = tn = 0
    failed = 0
    for name, case in cases.items():
        r = results.get(name)
        ok = bool(r and r.get("ok"))
        body = collapse(r.get("body", "")) if ok else ""
        if not ok:
            failed += 1
        for seg in case.get("with", []):
            if ok and collapse(seg) in body:
                tp += 1
            else:
                fn += 1
                if misses is not None:
                    misses.append(("FN", name, seg))
        for seg in case.get("without", []):
            if ok and collapse(seg) in body:
                fp += 1
                if misses is not None:
                    misses.append(("FP", name, seg))
            else:
                tn += 1
    p = tp / (tp + fp) if tp + fp else 0.0
    rc = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return dict(tp=tp, fn=fn, fp=fp, tn=tn, precision=p, recall=rc, f=f, failed=failed)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", required=True)
    ap.add_argument("--misses", help="write every false negative and false positive here")
    ap.add_argument("--json", action="store_true", help="print one JSON object per extractor")
    ap.add_argument("results", nargs="+", help="NAME=results.jsonl[:pages_per_s]")
    args = ap.parse_args()
    with open(args.cases, encoding="utf-8") as f:
        cases = json.load(f)
    rows = []
    misses_all = []
    for spec in args.results:
        name, _, rest = spec.partition("=")
        path, _, speed = rest.partition(":")
        misses = [] if args.misses else None
        s = score(cases, load_results(path), misses)
        s["name"] = name
        s["pages_per_s"] = float(speed) if speed else None
        rows.append(s)
        if misses:
            misses_all += [(name,) + m for m in misses]
    if args.misses:
        with open(args.misses, "w", encoding="utf-8") as f:
            for m in misses_all:
                f.write("\t".join(m) + "\n")
    if args.json:
        for r in rows:
            print(json.dumps(r))
        return
    print(f"pages: {len(cases)}, with segments: {sum(len(c.get('with', [])) for c in cases.values())}, "
          f"without segments: {sum(len(c.get('without', [])) for c in cases.values())}")
    print()
    print("| extractor | precision | recall | F | failed pages | pages/s (one core) |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        speed = f"{r['pages_per_s']:.1f}" if r["pages_per_s"] else "—"
        print(f"| {r['name']} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f']:.3f} | "
              f"{r['failed']} | {speed} |")


if __name__ == "__main__":
    sys.exit(main())
