#!/usr/bin/python3
"""Feed files for the parsing benchmark (bench/feeds/run_parse.sh).

  parse_gen.py DIR [N] [SEED]     N feeds (default 240) into DIR/xml/ and DIR/json/

A realistic mix, 20-100 items each: RSS 2.0 with content:encoded, dc: and media:
(45 %), Atom 1.0 with xml:base and relative links (20 %), RSS 1.0 / RDF (15 %),
JSON Feed 1.1 (10 %, into json/: Debian's feedparser 6.0.10 has no JSON Feed
support), RSS 2.0 in windows-1251 (5 %) and RSS 2.0 with undeclared HTML
entities and stray ampersands (5 %, bozo). Titles and text mix Russian and
English. Deterministic: the same N and SEED give the same bytes.
"""
import json
import os
import random
import sys
from email.utils import formatdate
from datetime import datetime, timezone, timedelta

EN = ("minsk belarus wagner instructors training border exercise ministry statement "
      "president government opposition court election protest sanctions trade energy "
      "grodno brest vitebsk gomel mogilev agency report official meeting army union "
      "security moscow warsaw vilnius kyiv europe economy railway potash refinery").split()
RU = ("минск беларусь вагнер инструкторы учения граница министерство заявление президент "
      "правительство оппозиция суд выборы протест санкции торговля энергетика гродно брест "
      "витебск гомель могилев агентство доклад встреча армия союз безопасность москва "
      "варшава вильнюс киев европа экономика полигон техника батальон").split()


def sentence(rng, words, n):
    return " ".join(rng.choice(words) for _ in range(n)).capitalize()


def paragraphs(rng, words, n):
    return "".join("<p>" + ". ".join(sentence(rng, words, rng.randint(8, 16)) for _ in range(rng.randint(2, 5)))
                   + ".</p>" for _ in range(n))


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def when(rng, i):
    return 1_790_000_000 - i * rng.randint(300, 3600)


def rss20(rng, feed, n, bozo=False):
    words = RU if feed % 2 else EN
    out = ['<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
           'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
           'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/" '
           'xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>\n',
           f"<title>{esc(sentence(rng, words, 3))}</title>\n<link>https://news{feed}.example.org/</link>\n",
           f'<atom:link href="https://news{feed}.example.org/rss" rel="self" type="application/rss+xml"/>\n',
           f"<description>{esc(sentence(rng, words, 8))}</description>\n<language>{'ru' if feed % 2 else 'en'}</language>\n",
           f"<lastBuildDate>{formatdate(when(rng, 0), localtime=False)}</lastBuildDate>\n"]
    for i in range(n):
        title = sentence(rng, words, rng.randint(6, 12))
        if bozo and i % 3 == 0:
            title += " &nbsp;&mdash; Q&A"
        else:
            title = esc(title)
        out.append(f"<item>\n<title>{title}</title>\n<link>https://news{feed}.example.org/{i}.html?utm_source=rss&amp;id={i}</link>\n")
        out.append(f'<guid isPermaLink="false">news{feed}-{i}</guid>\n<pubDate>{formatdate(when(rng, i))}</pubDate>\n')
        out.append(f"<dc:creator>{sentence(rng, words, 2)}</dc:creator>\n")
        for _ in range(rng.randint(1, 3)):
            out.append(f"<category>{rng.choice(words)}</category>\n")
        out.append(f"<description><![CDATA[{paragraphs(rng, words, 1)}]]></description>\n")
        if rng.random() < 0.6:
            out.append(f"<content:encoded><![CDATA[{paragraphs(rng, words, rng.randint(2, 8))}"
                       f'<img src="https://cdn{feed}.example.org/{i}.jpg">]]></content:encoded>\n')
        if rng.random() < 0.3:
            out.append(f'<media:content url="https://cdn{feed}.example.org/{i}.jpg" medium="image">'
                       f"<media:title>{esc(title)}</media:title></media:content>\n")
        out.append("</item>\n")
    out.append("</channel>\n</rss>\n")
    return "".join(out)


def atom(rng, feed, n):
    words = RU if feed % 2 else EN
    out = ['<?xml version="1.0" encoding="utf-8"?>\n',
           f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en" xml:base="https://blog{feed}.example.net/">\n',
           f'<title type="text">{esc(sentence(rng, words, 3))}</title>\n<link href="./"/>\n'
           f'<link rel="self" href="feed.atom"/>\n<id>tag:blog{feed}.example.net,2026:feed</id>\n',
           f"<updated>{datetime.fromtimestamp(when(rng, 0), timezone.utc).isoformat()}</updated>\n"]
    for i in range(n):
        t = datetime.fromtimestamp(when(rng, i), timezone(timedelta(hours=3)))
        out.append(f"<entry>\n<title type=\"html\">{esc(sentence(rng, words, rng.randint(6, 12)))}</title>\n")
        out.append(f'<link rel="alternate" type="text/html" href="posts/{i}.html"/>\n<id>tag:blog{feed}.example.net,2026:{i}</id>\n')
        out.append(f"<published>{t.isoformat()}</published>\n<updated>{t.isoformat()}</updated>\n")
        out.append(f"<author><name>{sentence(rng, words, 2)}</name></author>\n")
        out.append(f'<category term="{rng.choice(words)}"/>\n')
        out.append(f'<summary type="html">{esc(paragraphs(rng, words, 1))}</summary>\n')
        out.append(f'<content type="html">{esc(paragraphs(rng, words, rng.randint(2, 8)))}'
                   f'{esc(chr(60) + "a href=" + chr(34) + "/tags/x" + chr(34) + ">tag</a>")}</content>\n</entry>\n')
    out.append("</feed>\n")
    return "".join(out)


def rdf(rng, feed, n):
    words = RU if feed % 2 else EN
    out = ['<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
           'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns="http://purl.org/rss/1.0/">\n',
           f'<channel rdf:about="https://rdf{feed}.example.com/rss">\n<title>{esc(sentence(rng, words, 3))}</title>\n'
           f"<link>https://rdf{feed}.example.com/</link>\n<description>{esc(sentence(rng, words, 8))}</description>\n"
           f"<dc:language>ru</dc:language>\n<items><rdf:Seq>\n"]
    out += [f'<rdf:li rdf:resource="https://rdf{feed}.example.com/a/{i}"/>\n' for i in range(n)]
    out.append("</rdf:Seq></items>\n</channel>\n")
    for i in range(n):
        t = datetime.fromtimestamp(when(rng, i), timezone.utc)
        out.append(f'<item rdf:about="https://rdf{feed}.example.com/a/{i}">\n<title>{esc(sentence(rng, words, rng.randint(6, 12)))}</title>\n'
                   f"<link>https://rdf{feed}.example.com/a/{i}</link>\n<description>{esc(paragraphs(rng, words, rng.randint(1, 3)))}</description>\n"
                   f"<dc:date>{t.strftime('%Y-%m-%dT%H:%M:%SZ')}</dc:date>\n<dc:creator>{sentence(rng, words, 2)}</dc:creator>\n"
                   f"<dc:subject>{rng.choice(words)}</dc:subject>\n</item>\n")
    out.append("</rdf:RDF>\n")
    return "".join(out)


def jsonfeed(rng, feed, n):
    words = RU if feed % 2 else EN
    items = []
    for i in range(n):
        t = datetime.fromtimestamp(when(rng, i), timezone.utc)
        items.append({"id": f"json{feed}-{i}", "url": f"https://json{feed}.example.com/{i}",
                      "title": sentence(rng, words, rng.randint(6, 12)),
                      "content_html": paragraphs(rng, words, rng.randint(2, 8)),
                      "summary": sentence(rng, words, 12), "date_published": t.isoformat(),
                      "authors": [{"name": sentence(rng, words, 2)}], "tags": [rng.choice(words)]})
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": sentence(rng, words, 3),
                       "home_page_url": f"https://json{feed}.example.com/", "language": "ru", "items": items},
                      ensure_ascii=False, indent=1)


def main():
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 240
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 20260305
    os.makedirs(os.path.join(out, "xml"), exist_ok=True)
    os.makedirs(os.path.join(out, "json"), exist_ok=True)
    rng = random.Random(seed)
    for feed in range(count):
        n = rng.randint(20, 100)
        kind = rng.random()
        if kind < 0.45:
            name, data = f"xml/{feed:04d}-rss20.xml", rss20(rng, feed, n).encode()
        elif kind < 0.65:
            name, data = f"xml/{feed:04d}-atom10.xml", atom(rng, feed, n).encode()
        elif kind < 0.80:
            name, data = f"xml/{feed:04d}-rss10.rdf", rdf(rng, feed, n).encode()
        elif kind < 0.90:
            name, data = f"json/{feed:04d}-json11.json", jsonfeed(rng, feed, n).encode()
        elif kind < 0.95:
            text = rss20(rng, feed | 1, n).replace('encoding="utf-8"', 'encoding="windows-1251"')
            name, data = f"xml/{feed:04d}-rss20-cp1251.xml", text.encode("cp1251")
        else:
            name, data = f"xml/{feed:04d}-rss20-bozo.xml", rss20(rng, feed, n, bozo=True).encode()
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
