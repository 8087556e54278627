#!/usr/bin/env bash
# The load test (bench/locustfile.py) against a running service, headless: 5 people, then
# 20 for 3 minutes, then 50 for 2 minutes. Prints, for each stage, requests a second,
# failures and p50/p95/p99 per page, and the peak memory (RSS) of each app server and task
# worker process, sampled every second; at the end, each page's p95 at 50 people against
# its p95 at 5 (issue 14's goal: 0 failures, and at most 3 times).
#
#   bench/load.sh [BASE_URL]        # default https://127.0.0.1:8443 (deploy/'s nginx)
#
# The service must hold bench data (bench/grow.py years; it makes the bench accounts).
# Settings by environment:
#   STAGES="5:1m 20:3m 50:2m"     people:duration of each stage
#   RAMP=                         people started a second (default: a fifth of the stage's)
#   RESET_STATS=1                 count from when the stage's last person has started
#                                 (locust --reset-stats): the steady state, without
#                                 everyone's sign-in at once
#   LOCUST=.bench-venv/bin/locust  (pip install -r requirements-bench.txt into a venv of its own)
#   PROCESSES='gunicorn|run_worker' what to sample the memory of (a pattern for ps's command)
#   RESULTS=bench/results          where the CSVs and the printed summary go
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
BASE_URL=${1:-${BASE_URL:-https://127.0.0.1:8443}}
STAGES=${STAGES:-"5:1m 20:3m 50:2m"}
LOCUST=${LOCUST:-$HERE/../.bench-venv/bin/locust}
PROCESSES=${PROCESSES:-gunicorn|run_worker}
RESULTS=${RESULTS:-$HERE/results}
STAMP=$(date -u +%Y-%m-%d-%H%M)
OUT="$RESULTS/load-$STAMP"
mkdir -p "$RESULTS"
PYTHON=$(dirname "$LOCUST")/python

sample_memory() { # every second: pid, RSS in kB and command of each matching process
    while true; do
        ps -eo pid=,rss=,args= | grep -E "$PROCESSES" | grep -v -E "grep|load.sh" || true
        sleep 1
    done
}

summary=()
for stage in $STAGES; do
    users=${stage%%:*}
    duration=${stage#*:}
    prefix="$OUT-$users"
    sample_memory >"$prefix-memory.txt" &
    sampler=$!
    "$LOCUST" -f "$HERE/locustfile.py" --host "$BASE_URL" --headless --only-summary \
        -u "$users" -r "${RAMP:-$(((users + 4) / 5))}" -t "$duration" --csv "$prefix" --stop-timeout 10 \
        ${RESET_STATS:+--reset-stats} \
        >"$prefix-locust.txt" 2>&1 || true
    kill "$sampler"
    summary+=("$prefix")
done

"$PYTHON" - "$OUT" "${summary[@]}" <<'EOF' | tee "$OUT-summary.txt"
import csv
import sys
from collections import defaultdict

out, *prefixes = sys.argv[1:]
p95 = {}
counts = {}
for prefix in prefixes:
    users = prefix.rsplit("-", 1)[1]
    with open(f"{prefix}_stats.csv") as file:
        rows = list(csv.DictReader(file))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    print(f"\n{users} people: {float(total['Requests/s']):.1f} requests/s, "
          f"{total['Request Count']} requests, {total['Failure Count']} failures")
    print(f"{'page':<58} {'requests':>8} {'fails':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for row in rows:
        if row["Name"] == "Aggregated":
            continue
        p95.setdefault(row["Name"], {})[users] = float(row["95%"] or 0)
        counts.setdefault(row["Name"], {})[users] = int(row["Request Count"])
        print(f"{row['Type'] + ' ' + row['Name']:<58.58} {row['Request Count']:>8} {row['Failure Count']:>6} "
              f"{row['50%']:>7} {row['95%']:>7} {row['99%']:>7}")
    peaks = defaultdict(int)
    commands = {}
    with open(f"{prefix}-memory.txt") as file:
        for line in file:
            parts = line.split(None, 2)
            if len(parts) == 3 and parts[1].isdigit():
                peaks[parts[0]] = max(peaks[parts[0]], int(parts[1]))
                commands[parts[0]] = parts[2].strip()[:70]
    print(f"Peak memory of each process ({len(peaks)} sampled):")
    for pid, kilobytes in sorted(peaks.items(), key=lambda item: -item[1]):
        print(f"  {pid:>7} {kilobytes / 1024:>7.0f} MB  {commands[pid]}")
    with open(f"{prefix}_failures.csv") as file:
        failures = list(csv.DictReader(file))
    for failure in failures[:10]:
        print(f"  failure: {failure['Method']} {failure['Name']}: {failure['Error'][:100]} ({failure['Occurrences']})")
stages = [prefix.rsplit("-", 1)[1] for prefix in prefixes]
if len(stages) > 1:
    first, last = stages[0], stages[-1]
    print(f"\np95 at {last} people against {first} (goal: at most 3x)")
    for name, by_users in sorted(p95.items()):
        if by_users.get(first) and last in by_users:
            ratio = by_users[last] / by_users[first]
            mark = "  * over the goal" if ratio > 3 else ""
            # A 95th percentile of a handful of requests is their slowest: say so.
            if counts[name][first] < 20:
                mark += f"  (only {counts[name][first]} requests at {first})"
            print(f"  {name:<58.58} {by_users[first]:>7.0f} {by_users[last]:>7.0f} {ratio:>6.2f}{mark}")
print(f"\nCSVs and memory samples: {out}-*")
EOF
