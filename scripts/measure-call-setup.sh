#!/usr/bin/env bash
# Call setup time on loopback: a supernode and an auto-answering callee, then N calls
# (default 50) each by a fresh `koe --headless --call` process; prints dial-to-ringing
# and dial-to-answer p50/p95 from each call's --stats-json. Needs a release build.
#   scripts/measure-call-setup.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
koe=build/app/koe
n="${1:-50}"
dir=$(mktemp -d /tmp/koe-setup.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$dir"; }
trap cleanup EXIT

common=(--headless --lan-address 127.0.0.1)
"$koe" "${common[@]}" --profile "$dir/sn" --supernode always --listen 47100 >"$dir/sn.log" 2>&1 &
pids+=($!)
"$koe" "${common[@]}" --profile "$dir/callee" --listen 47101 --bootstrap 127.0.0.1:47100 \
  --auto-answer anyone --stats-json "$dir/callee.json" >"$dir/callee.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do grep -q '"online": true' "$dir/callee.json" 2>/dev/null && break; sleep 0.1; done
callee=$("$koe" id --profile "$dir/callee")

for i in $(seq 1 "$n"); do
  "$koe" "${common[@]}" --profile "$dir/caller" --listen 47102 --bootstrap 127.0.0.1:47100 \
    --call "$callee" --duration 0.2 --stats-json "$dir/call-$i.json" >"$dir/call-$i.log" 2>&1 || { cat "$dir/call-$i.log"; exit 1; }
done
python3 - "$dir" "$n" <<'PY'
import json, statistics, sys
d, n = sys.argv[1], int(sys.argv[2])
ring, answer = [], []
for i in range(1, n + 1):
    call = json.load(open(f"{d}/call-{i}.json"))["calls"][-1]
    if call["ringing_ms"] is not None: ring.append(call["ringing_ms"])
    if call["setup_ms"] is not None: answer.append(call["setup_ms"])
def pct(v, p): v = sorted(v); return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]
for name, v in (("dial to ringing", ring), ("dial to answer", answer)):
    if v: print(f"{name}: n={len(v)} p50={pct(v,50):.1f} ms p95={pct(v,95):.1f} ms max={max(v):.1f} ms")
PY
