#!/usr/bin/env bash
# Polling benchmark: wirewatch's feed poller beside newsboat, in one run, on the
# same files served by Debian's nginx on 127.0.0.1 (nginx answers If-None-Match
# with 304 on its own).
#
#   bench/feeds/run_poll.sh [BUILD_DIR]        (default build/; env FEEDS=10000)
#
# 1. FEEDS RSS files (~13 KB, 20 items each) are written and served by nginx.
# 2. wirewatch: bench/feeds/poll_bench (HttpFetcher + FeedPoller + parse_feed, the
#    library path wirewatchd polls with, `articles: false`, default `http:` options)
#    polls every feed (cycle 1: every body parsed), 10 % of the files are rewritten
#    (one new item each), and every feed is polled again (cycle 2: 90 % answer 304).
#    The driver prints each cycle's wall time and its own peak RSS. wirewatchd does
#    not poll feeds yet; once it does, time the daemon here instead of the driver.
# 3. newsboat 2.21 (`newsboat -x reload`, its default settings) reloads the same
#    URLs, another 10 % is rewritten, and it reloads again; /usr/bin/time gives
#    wall time and peak RSS.
# Needs: nginx, newsboat, time (scripts/packages/feeds-http.txt).
# Takes about an hour at 10,000 feeds, nearly all of it newsboat's (FEEDS=1000: a minute).
# Results: docs/performance.md, "Feed parsing and polling".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
feeds=${FEEDS:-10000}
newsboat_threads=${NEWSBOAT_THREADS:-}  # empty: newsboat's default (reload-threads 1)

for tool in nginx newsboat /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "run_poll: $tool is missing (scripts/install-deps.sh)" >&2; exit 1; }
done
[[ -x $build/bench/feeds/poll_bench ]] || { echo "run_poll: build $build/bench/feeds/poll_bench first" >&2; exit 1; }

work=$(mktemp -d /tmp/wirewatch-poll-XXXXXX)
nginx_pid=
cleanup() {
  [[ -n $nginx_pid ]] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
chmod 755 "$work"

echo "run_poll: writing $feeds feeds to $work/www/feeds" >&2
python3 "$here/poll_gen.py" create "$work/www/feeds" "$feeds"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$work/nginx/logs" "$work/nginx/tmp"
cat > "$work/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  client_body_temp_path $work/nginx/tmp;
  proxy_temp_path $work/nginx/tmp;
  fastcgi_temp_path $work/nginx/tmp;
  uwsgi_temp_path $work/nginx/tmp;
  scgi_temp_path $work/nginx/tmp;
  types { application/rss+xml xml; }
  server {
    listen 127.0.0.1:$port;
    root $work/www;
  }
}
EOF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
for _ in $(seq 100); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && break
  sleep 0.1
done
base="http://127.0.0.1:$port"

echo "run_poll: wirewatch poll_bench" >&2
"$build/bench/feeds/poll_bench" --base "$base" --count "$feeds" \
  --between "python3 '$here/poll_gen.py' rewrite '$work/www/feeds' 0.1 1" > "$work/wirewatch.json"
cat "$work/wirewatch.json" >&2

echo "run_poll: newsboat" >&2
mkdir -p "$work/home"
python3 -c "
for i in range($feeds): print('$base/feeds/%05d.xml' % i)" > "$work/urls"
: > "$work/newsboat.conf"
[[ -n $newsboat_threads ]] && echo "reload-threads $newsboat_threads" > "$work/newsboat.conf"
newsboat_cycle() {
  HOME="$work/home" /usr/bin/time -f '%e %M' -o "$work/time.$1" \
    newsboat -u "$work/urls" -c "$work/cache.db" -C "$work/newsboat.conf" -x reload \
    > "$work/newsboat.$1.out" 2>&1
  cat "$work/time.$1"
}
read -r nb1_s nb1_kib < <(newsboat_cycle 1)
python3 "$here/poll_gen.py" rewrite "$work/www/feeds" 0.1 2
read -r nb2_s nb2_kib < <(newsboat_cycle 2)
nb_items=$(python3 -c "
import sqlite3; print(sqlite3.connect('$work/cache.db').execute('select count(*) from rss_item').fetchone()[0])")

python3 - "$work/wirewatch.json" "$feeds" "$nb1_s" "$nb1_kib" "$nb2_s" "$nb2_kib" "$nb_items" \
  "${newsboat_threads:-1 (default)}" <<'EOF'
import json, sys
w = json.load(open(sys.argv[1]))
feeds = int(sys.argv[2])
nb = [(float(sys.argv[3]), int(sys.argv[4]) / 1024), (float(sys.argv[5]), int(sys.argv[6]) / 1024)]
c = w["cycles"]
print(f"feeds: {feeds}; wirewatch http.max_per_host {w['max_per_host']}, max_connections "
      f"{w['max_connections']}; newsboat reload-threads {sys.argv[8]}; newsboat items in cache: {sys.argv[7]}")
print()
print("| | cycle 1 (all parsed) | cycle 2 (10 % changed) | feeds/s, cycle 2 | peak RSS |")
print("|---|---|---|---|---|")
print(f"| wirewatch (poll_bench) | {c[0]['seconds']:.2f} s | {c[1]['seconds']:.2f} s | "
      f"{feeds / c[1]['seconds']:.0f} | {w['peak_rss_mib']:.0f} MiB |")
print(f"| newsboat 2.21 `-x reload` | {nb[0][0]:.2f} s | {nb[1][0]:.2f} s | "
      f"{feeds / nb[1][0]:.0f} | {max(nb[0][1], nb[1][1]):.0f} MiB |")
print()
print(f"wirewatch cycle 2: {c[1]['parsed']} parsed, {c[1]['not_modified']} not modified, "
      f"{c[1]['failed']} failed, {c[1]['new_items']} new items")
print(f"ratio, cycle 2 feeds/s: {nb[1][0] / c[1]['seconds']:.1f}x; "
      f"cycle 1: {nb[0][0] / c[0]['seconds']:.1f}x")
EOF
