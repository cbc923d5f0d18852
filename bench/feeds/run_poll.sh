#!/usr/bin/env bash
# Polling benchmark: wirewatchd beside newsboat, in one run, on the same files served
# by Debian's nginx on 127.0.0.1 (nginx answers If-None-Match with 304 on its own).
#
#   bench/feeds/run_poll.sh [BUILD_DIR]        (default build/; env FEEDS=10000)
#
# 1. FEEDS RSS files (~13 KB, 20 items each) are written and served by nginx.
# 2. wirewatchd (bench/feeds/poll_daemon.py): the daemon itself with a generated config
#    (FEEDS `type: feed` sources in a sources_dir file, `articles: false`, the rules of
#    config/rules.d, default `http:` options). Cycle 1: from its start until every feed
#    has status 200 in the state database (every body parsed, every item stored);
#    10 % of the files are rewritten (one new item each); cycle 2: from SIGUSR1 ("poll
#    every feed now") until every feed was polled and stored again (90 % answer 304).
#    Peak RSS is wirewatchd's VmHWM per cycle; CPU time is its utime + stime.
# 3. bench/feeds/poll_bench, the library path alone (HttpFetcher + FeedPoller +
#    parse_feed, no store), the same two cycles (another 10 % rewritten), when built.
# 4. newsboat 2.21 (`newsboat -x reload`, its default settings) reloads the same
#    URLs, another 10 % is rewritten, and it reloads again; /usr/bin/time gives
#    wall time and peak RSS.
# Needs: nginx, newsboat, time (scripts/packages/feeds-http.txt).
# Takes about an hour at 10,000 feeds, nearly all of it newsboat's (FEEDS=1000: a minute;
# DAEMON_ONLY=1: wirewatchd alone, a few minutes at 10,000).
# Results: docs/performance.md, "Polling".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
feeds=${FEEDS:-10000}
newsboat_threads=${NEWSBOAT_THREADS:-}  # empty: newsboat's default (reload-threads 1)
daemon_only=${DAEMON_ONLY:-0}            # 1: time wirewatchd alone (no library row, no newsboat)

for tool in nginx newsboat /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "run_poll: $tool is missing (scripts/install-deps.sh)" >&2; exit 1; }
done
[[ -x $build/daemon/wirewatchd ]] || { echo "run_poll: build $build/daemon/wirewatchd first" >&2; exit 1; }

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

echo "run_poll: wirewatchd" >&2
mkdir -p "$work/daemon"
/usr/bin/python3 "$here/poll_daemon.py" --wirewatchd "$build/daemon/wirewatchd" \
  --work "$work/daemon" --base "$base" --count "$feeds" --rules "$here/../../config/rules.d" \
  --between "python3 '$here/poll_gen.py' rewrite '$work/www/feeds' 0.1 1" > "$work/daemon.json"
cat "$work/daemon.json" >&2
rm -rf "$work/daemon/state"  # 200,000 record files: free the space before newsboat's hour
[[ $daemon_only = 1 ]] && exit 0

echo '{}' > "$work/library.json"
if [[ -x $build/bench/feeds/poll_bench ]]; then
  echo "run_poll: wirewatch poll_bench (library)" >&2
  "$build/bench/feeds/poll_bench" --base "$base" --count "$feeds" \
    --between "python3 '$here/poll_gen.py' rewrite '$work/www/feeds' 0.1 2" > "$work/library.json"
  cat "$work/library.json" >&2
fi

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
python3 "$here/poll_gen.py" rewrite "$work/www/feeds" 0.1 3
read -r nb2_s nb2_kib < <(newsboat_cycle 2)
nb_items=$(python3 -c "
import sqlite3; print(sqlite3.connect('$work/cache.db').execute('select count(*) from rss_item').fetchone()[0])")

python3 - "$work/daemon.json" "$work/library.json" "$feeds" "$nb1_s" "$nb1_kib" "$nb2_s" \
  "$nb2_kib" "$nb_items" "${newsboat_threads:-1 (default)}" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
lib = json.load(open(sys.argv[2]))
feeds = int(sys.argv[3])
nb = [(float(sys.argv[4]), int(sys.argv[5]) / 1024), (float(sys.argv[6]), int(sys.argv[7]) / 1024)]
c1, c2 = d["cycles"]
print(f"feeds: {feeds}; wirewatchd http.max_per_host {d['max_per_host']} (all feeds on one host); "
      f"newsboat reload-threads {sys.argv[9]}; newsboat items in cache: {sys.argv[8]}")
print()
print("| | cycle 1 (all parsed) | cycle 2 (10 % changed) | feeds/s, cycle 2 | peak RSS, cycle 1 / cycle 2 |")
print("|---|---:|---:|---:|---:|")
print(f"| wirewatchd | {c1['seconds']:.2f} s ({c1['cpu_seconds']:.1f} s CPU) | "
      f"{c2['seconds']:.2f} s ({c2['cpu_seconds']:.1f} s CPU) | {feeds / c2['seconds']:,.0f} | "
      f"{c1['peak_rss_mib']:.0f} / {c2['peak_rss_mib']:.0f} MiB |")
if lib.get("cycles"):
    l = lib["cycles"]
    print(f"| library path (poll_bench, no store) | {l[0]['seconds']:.2f} s | {l[1]['seconds']:.2f} s | "
          f"{feeds / l[1]['seconds']:,.0f} | {lib['peak_rss_mib']:.0f} MiB |")
print(f"| newsboat 2.21 `-x reload` | {nb[0][0]:.2f} s | {nb[1][0]:.2f} s | "
      f"{feeds / nb[1][0]:,.1f} | {nb[0][1]:.0f} / {nb[1][1]:.0f} MiB |")
print()
print(f"wirewatchd: READY after {d['ready_seconds']:.2f} s; cycle 1 from READY "
      f"{c1['seconds_from_ready']:.2f} s, {c1['records']} records, {c1['new_items']} new items; "
      f"cycle 2: {c2['ok_200']} x 200, {c2['not_modified']} x 304, {c2['new_items']} new items, "
      f"{c2['records']} records; exit code {d['exit_code']}")
r = d["restart"]
print(f"wirewatchd RSS: {d['rss_at_ready_mib']:.0f} MiB at READY; {c2['rss_at_start_mib']:.0f} MiB "
      f"when cycle 2 starts; {r['rss_at_ready_mib']:.0f} MiB at READY after a restart over the "
      f"stored records ({r['ready_seconds']:.1f} s to READY)")
if c2["fetches_metric"]:
    print(f"wirewatch_fetches_total during cycle 2: {c2['fetches_metric']}")
print(f"ratio, feeds/s (wirewatchd / newsboat): cycle 2 {nb[1][0] / c2['seconds']:.0f}x; "
      f"cycle 1 {nb[0][0] / c1['seconds']:.0f}x")
EOF
