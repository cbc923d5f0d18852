#!/usr/bin/python3
"""Runs Debian's python3-readability (readability-lxml) over a page set, one core.

Writes one JSON line per page ({"file", "ok", "body"}) and prints
{"pages", "seconds", "pages_per_s"} with the CPU time (this thread) spent in
Document(...).summary() and turning its HTML into text (what a caller of
readability has to do).

usage: readability_run.py --pages DIR --cases cases.json --out results.jsonl
"""
import argparse
import json
import logging
import os
import time

import lxml.html
from readability import Document

BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "td",
          "th", "tr", "br", "dd", "dt", "section", "article", "table", "ul", "ol"}


def summary_text(html):
    if not html:
        return ""
    tree = lxml.html.fromstring(html)
    for el in tree.iter():
        if isinstance(el.tag, str) and el.tag in BLOCKS:
            el.tail = "\n\n" + (el.tail or "")
            if el.tag != "br":
                el.text = "\n\n" + (el.text or "")
    paragraphs = [" ".join(p.split()) for p in tree.text_content().split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", required=True)
    ap.add_argument("--cases", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    logging.disable(logging.CRITICAL)
    with open(args.cases, encoding="utf-8") as f:
        cases = json.load(f)
    total = 0.0
    with open(args.out, "w", encoding="utf-8") as out:
        for name, case in cases.items():
            with open(os.path.join(args.pages, name), "rb") as f:
                data = f.read()
            start = time.thread_time()
            try:
                body = summary_text(Document(data, url=case.get("url")).summary())
                ok = bool(body)
            except Exception as e:  # readability raises on empty or odd pages
                body, ok = "", False
            total += time.thread_time() - start
            out.write(json.dumps({"file": name, "ok": ok, "body": body}, ensure_ascii=False) + "\n")
    print(json.dumps({"pages": len(cases), "seconds": total, "pages_per_s": len(cases) / total}))


if __name__ == "__main__":
    main()
