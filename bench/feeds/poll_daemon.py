#!/usr/bin/python3
"""Times two polling cycles of the real wirewatchd (bench/feeds/run_poll.sh).

  poll_daemon.py --wirewatchd BIN --work DIR --base URL --count N --rules DIR
                 --between CMD [--per-host N] [--timeout S]

Writes DIR/config.yaml (N `type: feed` sources in DIR/sources.d, interval 1h so that
only SIGUSR1 starts cycle 2, `articles: false`, the rules of --rules, state in DIR/state,
metrics on a free 127.0.0.1 port), starts wirewatchd and watches its state database
read-only (the `feeds` table, written in the same transaction as the poll's records):
  cycle 1: from the start (and from READY) until all N feeds have status 200;
  CMD runs (rewrites 10 % of the files);
  cycle 2: from SIGUSR1 ("poll every feed now") until all N feeds were polled again
           (200 or 304) and stored.
Peak RSS is wirewatchd's VmHWM, reset between the cycles through /proc/PID/clear_refs;
CPU time is its utime + stime. Prints one JSON object.
"""
import argparse
import json
import math
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request

POLL = 0.1  # seconds between looks at the database


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_config(work, base, count, rules, per_host):
    os.makedirs(f"{work}/sources.d")
    with open(f"{work}/sources.d/bench.yaml", "w") as f:
        f.write("sources:\n")
        for i in range(count):
            f.write(f"  - {{id: bench-{i:05d}, type: feed, url: '{base}/feeds/{i:05d}.xml', "
                    "interval: 1h, articles: false}\n")
    shutil.copytree(rules, f"{work}/rules.d")
    port = free_port()
    http = f"http:\n  max_per_host: {per_host}\n" if per_host else ""
    with open(f"{work}/config.yaml", "w") as f:
        f.write(f"state_dir: state\nrules: rules.d\nsources_dir: sources.d\n"
                f"publish:\n  endpoint: tcp://127.0.0.1:*\n"
                f"metrics:\n  listen: 127.0.0.1:{port}\n{http}log:\n  level: info\n")
    return port


def proc_status(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024  # kB -> MiB
    return 0.0


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Db:
    def __init__(self, path):
        self.path = path
        self.conn = None

    def query(self, sql, *args):
        try:
            if self.conn is None:
                if not os.path.exists(self.path):
                    return None
                self.conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=5)
            return self.conn.execute(sql, args).fetchall()
        except sqlite3.Error:
            # Not created yet (no `feeds` table before the migrations ran): look again.
            self.conn = None
            return None


def scrape_fetches(port):
    """wirewatch_fetches_total by status, when the daemon feeds it (else empty)."""
    try:
        text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    except OSError:
        return {}
    out = {}
    for line in text.splitlines():
        if line.startswith("wirewatch_fetches_total{"):
            labels, value = line.rsplit(" ", 1)
            status = labels.split('status="', 1)[1].split('"', 1)[0]
            out[status] = int(float(value))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wirewatchd", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--base", required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--rules", required=True)
    ap.add_argument("--between", required=True)
    ap.add_argument("--per-host", type=int, default=0)  # 0: the default http.max_per_host
    ap.add_argument("--timeout", type=float, default=1800)
    a = ap.parse_args()
    n = a.count
    port = write_config(a.work, a.base, n, a.rules, a.per_host)
    db = Db(f"{a.work}/state/wirewatch.db")
    log = open(f"{a.work}/wirewatchd.log", "w")

    t0 = time.time()
    proc = subprocess.Popen([a.wirewatchd, "--config", f"{a.work}/config.yaml"], stdout=log,
                            stderr=subprocess.STDOUT)
    pid = proc.pid

    def wait_for(what, cond, since):
        while True:
            if proc.poll() is not None:
                sys.exit(f"poll_daemon: wirewatchd exited with {proc.returncode} "
                         f"while waiting for {what} (log: {a.work}/wirewatchd.log)")
            r = cond()
            if r:
                return time.time(), r
            if time.time() - since > a.timeout:
                statuses = db.query("SELECT last_status, count(*) FROM feeds GROUP BY 1")
                proc.terminate()
                sys.exit(f"poll_daemon: no {what} after {a.timeout:.0f} s; statuses {statuses}")
            time.sleep(POLL)

    def ready():
        try:
            return urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready", timeout=1).status == 200
        except OSError:
            return False

    t_ready, _ = wait_for("READY", ready, t0)
    rss_ready = proc_status(pid, "VmRSS")

    def all_with(sql, *args):
        def cond():
            r = db.query(sql, *args)
            return r is not None and r[0][0] >= n
        return cond

    t1, _ = wait_for("cycle 1", all_with("SELECT count(*) FROM feeds WHERE last_status = 200"), t0)
    cpu1 = cpu_seconds(pid)
    rss1 = proc_status(pid, "VmHWM")
    records1 = db.query("SELECT count(*) FROM records")[0][0]
    items1 = db.query("SELECT sum(items_seen) FROM feeds")[0][0]
    fetches1 = scrape_fetches(port)

    subprocess.run(a.between, shell=True, check=True)
    # `updated` is in whole seconds: signal just after a second starts, so every row
    # with updated >= that second was written by cycle 2.
    time.sleep(math.ceil(time.time()) + 1.02 - time.time())
    with open(f"/proc/{pid}/clear_refs", "w") as f:
        f.write("5")  # resets VmHWM to the current RSS
    cpu_sig = cpu_seconds(pid)
    rss_sig = proc_status(pid, "VmRSS")
    t_sig = time.time()
    os.kill(pid, signal.SIGUSR1)
    second = int(t_sig)
    t2, _ = wait_for("cycle 2", all_with(
        "SELECT count(*) FROM feeds WHERE updated >= ? AND last_status IN (200, 304)", second),
        t_sig)
    cpu2 = cpu_seconds(pid) - cpu_sig
    rss2 = proc_status(pid, "VmHWM")
    by_status = dict(db.query(
        "SELECT last_status, count(*) FROM feeds WHERE updated >= ? GROUP BY 1", second))
    records2 = db.query("SELECT count(*) FROM records")[0][0]
    items2 = db.query("SELECT sum(items_seen) FROM feeds")[0][0]
    fetches2 = scrape_fetches(port)

    proc.send_signal(signal.SIGTERM)
    rc = proc.wait(timeout=120)

    # Restarted over the same state: what the daemon holds for what it has stored
    # (the near-duplicate index of every stored record is loaded at start).
    t_restart = time.time()
    proc = subprocess.Popen([a.wirewatchd, "--config", f"{a.work}/config.yaml"], stdout=log,
                            stderr=subprocess.STDOUT)
    pid = proc.pid
    t_ready2, _ = wait_for("READY after a restart", ready, t_restart)
    rss_restart = proc_status(pid, "VmRSS")
    proc.send_signal(signal.SIGTERM)
    rc_restart = proc.wait(timeout=120)
    out = {
        "feeds": n,
        "ready_seconds": t_ready - t0,
        "rss_at_ready_mib": rss_ready,
        "max_per_host": a.per_host or 2,
        "cycles": [
            {"seconds": t1 - t0, "seconds_from_ready": t1 - t_ready, "cpu_seconds": cpu1,
             "peak_rss_mib": rss1, "records": records1, "new_items": items1,
             "fetches_metric": fetches1},
            {"seconds": t2 - t_sig, "cpu_seconds": cpu2, "peak_rss_mib": rss2,
             "rss_at_start_mib": rss_sig,
             "ok_200": by_status.get(200, 0), "not_modified": by_status.get(304, 0),
             "records": records2 - records1, "new_items": items2 - items1,
             "fetches_metric": {k: v - fetches1.get(k, 0) for k, v in fetches2.items()}},
        ],
        "exit_code": rc,
        "restart": {"ready_seconds": t_ready2 - t_restart, "rss_at_ready_mib": rss_restart,
                    "exit_code": rc_restart},
    }
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
