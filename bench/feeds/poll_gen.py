#!/usr/bin/python3
"""Feed files for the polling benchmark (bench/feeds/run_poll.sh).

  poll_gen.py create DIR N       N RSS 2.0 files DIR/00000.xml ..., 20 items each (~10 KB)
  poll_gen.py rewrite DIR FRACTION SEED
                                 rewrites that fraction of the files (chosen by SEED): one
                                 new item on top, the oldest dropped, as a news site does
Deterministic: the same arguments give the same bytes.
"""
import os
import random
import sys
from email.utils import formatdate

WORDS = ("minsk belarus wagner instructors training border exercise ministry statement "
         "president government opposition court election protest sanctions trade energy "
         "grodno brest vitebsk gomel mogilev agency report official meeting army union "
         "security moscow warsaw vilnius kyiv europe economy railway potash refinery").split()


def sentence(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize()


def item(feed, serial):
    rng = random.Random(feed * 1_000_003 + serial)
    title = sentence(rng, rng.randint(6, 11))
    desc = ". ".join(sentence(rng, rng.randint(10, 18)) for _ in range(3)) + "."
    when = formatdate(1_790_000_000 + serial * 600, usegmt=True)
    return (f"<item>\n<title>{title}</title>\n"
            f"<link>https://news{feed % 97}.example.org/{feed}/{serial}.html</link>\n"
            f"<guid isPermaLink=\"false\">feed{feed}-item{serial}</guid>\n"
            f"<pubDate>{when}</pubDate>\n<dc:creator>Desk {feed % 13}</dc:creator>\n"
            f"<description>&lt;p&gt;{desc}&lt;/p&gt;</description>\n</item>\n")


def feed_xml(feed, newest):
    head = ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n'
            f"<title>Bench feed {feed}</title>\n<link>https://news{feed % 97}.example.org/</link>\n"
            f"<description>Polling benchmark feed {feed}</description>\n<language>en</language>\n")
    items = "".join(item(feed, s) for s in range(newest, newest - 20, -1))
    return head + items + "</channel>\n</rss>\n"


def write(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.rename(tmp, path)


def newest_serial(path):
    with open(path, encoding="utf-8") as f:
        text = f.read(4096)
    at = text.index("-item") + len("-item")
    return int(text[at:text.index("<", at)])


def main():
    if sys.argv[1] == "create":
        d, n = sys.argv[2], int(sys.argv[3])
        os.makedirs(d, exist_ok=True)
        for i in range(n):
            write(os.path.join(d, f"{i:05d}.xml"), feed_xml(i, 100))
    elif sys.argv[1] == "rewrite":
        d, fraction, seed = sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
        names = sorted(x for x in os.listdir(d) if x.endswith(".xml"))
        rng = random.Random(seed)
        for name in rng.sample(names, int(len(names) * fraction)):
            path = os.path.join(d, name)
            write(path, feed_xml(int(name[:5]), newest_serial(path) + 1))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
