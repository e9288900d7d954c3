#!/usr/bin/env bash
# The NAT lab (issue 8): real Linux NATs in network namespaces around koe_nat_probe.
#
# For every case and loss rate it builds, per attempt, a fresh topology:
#   "inet"  the public internet: a router between 198.51.100.0/24 (the supernode/relay
#           process, three addresses) and one 203.0.113.x/28 per NAT or public host;
#           loss is injected here (nftables numgen) on every forwarded datagram;
#   NATs    nftables masquerade (cone: endpoint-independent mapping), masquerade
#           fully-random (symmetric), snat to numgen-inc ports (symmetric with sequential
#           ports), masquerade plus a DNAT (full cone), a carrier-grade NAT in front of a
#           home NAT, or a NAT that drops all UDP; each drops
#           unsolicited new inbound packets addressed to itself, as home routers do;
#   LANs    192.168.n.0/24 behind each NAT, with the clients.
# Then the server and two clients run (b is called by a); their RESULT lines make the
# matrix. Every namespace is named koenat-<pid>-* and deleted by name at the end, also
# on failure. Needs root, ip and nft; exits 77 (skipped) otherwise.
#
# Usage: nat_lab.sh --tool PATH [--attempts N] [--cases "a b"] [--losses "0 10"] [--report FILE]
set -u

TOOL=""
ATTEMPTS=3
CASES="cone-cone public-cone same-nat symmetric-cone sequential-cone symmetric-symmetric sequential-sequential fullcone-symmetric double-nat udp-blocked"
LOSSES="0 10"
REPORT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --tool) TOOL="$2"; shift 2 ;;
    --attempts) ATTEMPTS="$2"; shift 2 ;;
    --cases) CASES="$2"; shift 2 ;;
    --losses) LOSSES="$2"; shift 2 ;;
    --report) REPORT="$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "the NAT lab needs root (network namespaces, nftables)"
for tool in ip nft timeout; do command -v "$tool" >/dev/null || skip "$tool is not installed"; done
[ -x "$TOOL" ] || { echo "no koe_nat_probe at '$TOOL' (--tool)" >&2; exit 2; }

P="koenat-$$"
WORK="$(mktemp -d /tmp/koenat-$$.XXXXXX)"
PIDS=""

cleanup() {
  for pid in $PIDS; do kill "$pid" 2>/dev/null; done
  for pid in $PIDS; do wait "$pid" 2>/dev/null; done
  PIDS=""
  for n in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$P-"); do ip netns del "$n"; done
}
trap 'cleanup; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

ip netns add "$P-check" 2>/dev/null || skip "cannot create network namespaces here"
ip netns del "$P-check"

ns() { local n="$1"; shift; ip netns exec "$P-$n" "$@"; }

mkns() {
  ip netns add "$P-$1"
  ns "$1" ip link set lo up
  ns "$1" sysctl -qw net.ipv4.ip_forward=1
}

# veth NS1 IF1 NS2 IF2: a cable between two namespaces.
veth() { ip link add "$2" netns "$P-$1" type veth peer name "$4" netns "$P-$3"; ns "$1" ip link set "$2" up; ns "$3" ip link set "$4" up; }

# The internet router and the server namespace (S0 .10, S1 .11, partner .12).
make_internet() {
  local loss="$1"
  mkns inet
  mkns srv
  veth inet srv srv eth0
  ns inet ip addr add 198.51.100.1/24 dev srv
  for a in 10 11 12; do ns srv ip addr add "198.51.100.$a/24" dev eth0; done
  ns srv ip route add default via 198.51.100.1
  ns inet nft -f - <<EOF
table inet lab {
  chain forward {
    type filter hook forward priority 0;
    numgen random mod 100 < $loss drop
  }
}
EOF
}

# port_map BASE COUNT: "0 : BASE, 1 : BASE+1, ..." for an nft map.
port_map() { local i out=""; for i in $(seq 0 $(($2 - 1))); do out="$out$i : $(($1 + i)), "; done; echo "${out%, }"; }

# make_nat NAME TYPE INDEX [UPSTREAM]: a NAT whose WAN is 203.0.113.(16*INDEX+2)/28 on
# the internet, or 100.64.INDEX.2/24 on UPSTREAM's LAN (a carrier-grade NAT); its LAN
# is 192.168.INDEX.0/24 on bridge "lan" (100.64.INDEX.0/24 for a carrier-grade NAT).
make_nat() {
  local name="$1" type="$2" n="$3" upstream="${4:-}"
  mkns "$name"
  if [ -z "$upstream" ]; then
    veth inet "w-$name" "$name" wan
    ns inet ip addr add "203.0.113.$((16 * n + 1))/28" dev "w-$name"
    ns "$name" ip addr add "203.0.113.$((16 * n + 2))/28" dev wan
    ns "$name" ip route add default via "203.0.113.$((16 * n + 1))"
  else
    veth "$upstream" "w-$name" "$name" wan
    ns "$upstream" ip link set "w-$name" master lan
    ns "$name" ip addr add "100.64.$n.2/24" dev wan
    ns "$name" ip route add default via "100.64.$n.1"
  fi
  local lan="192.168.$n"
  [ "$type" = cgnat ] && lan="100.64.$((n + 1))"
  ns "$name" ip link add lan type bridge
  ns "$name" ip link set lan up
  ns "$name" ip addr add "$lan.1/24" dev lan
  local masquerade="masquerade" extra="" forward=""
  case "$type" in
    cone|cgnat) ;;
    symmetric) masquerade="masquerade random,fully-random" ;;
    # Symmetric with sequential ports (many carrier and enterprise NATs): every new
    # conntrack entry, i.e. every new remote endpoint, takes the next of 64 ports. (A
    # map, because a bare numgen port would be used in host byte order: steps of 256.)
    sequential) masquerade="meta l4proto udp snat ip to 203.0.113.$((16 * n + 2)) : numgen inc mod 64 map { $(port_map 20000 64) }" ;;
    fullcone) extra="chain pre { type nat hook prerouting priority -100; iifname \"wan\" udp dport 5000 dnat ip to $lan.10:5000; }" ;;
    blocked) forward="chain forward { type filter hook forward priority 0; meta l4proto udp drop; }" ;;
  esac
  ns "$name" nft -f - <<EOF
table ip nat {
  chain post { type nat hook postrouting priority 100; oifname "wan" $masquerade; }
  $extra
}
table inet filter {
  chain input { type filter hook input priority 0; iifname "wan" ct state new meta l4proto != icmp drop; }
  $forward
}
EOF
}

# add_client NAME NAT HOST: a host at HOST on NAT's LAN (prints its address).
add_client() {
  local name="$1" nat="$2" host="$3"
  mkns "$name"
  veth "$nat" "c-$name" "$name" eth0
  ns "$nat" ip link set "c-$name" master lan
  local prefix
  prefix="$(ns "$nat" ip -4 -o addr show dev lan | awk '{print $4}' | cut -d. -f1-3)"
  ns "$name" ip addr add "$prefix.$host/24" dev eth0
  ns "$name" ip route add default via "$prefix.1"
  echo "$prefix.$host"
}

# add_public NAME INDEX: a host with a public address, no NAT (prints its address).
add_public() {
  local name="$1" n="$2"
  mkns "$name"
  veth inet "p-$name" "$name" eth0
  ns inet ip addr add "203.0.113.$((16 * n + 1))/28" dev "p-$name"
  ns "$name" ip addr add "203.0.113.$((16 * n + 2))/28" dev eth0
  ns "$name" ip route add default via "203.0.113.$((16 * n + 1))"
  echo "203.0.113.$((16 * n + 2))"
}

# Builds the case's NATs and clients; sets A_IP and B_IP.
build_case() {
  case "$1" in
    cone-cone) make_nat na cone 1; make_nat nb cone 2; A_IP=$(add_client a na 10); B_IP=$(add_client b nb 10) ;;
    public-cone) A_IP=$(add_public a 3); make_nat nb cone 2; B_IP=$(add_client b nb 10) ;;
    same-nat) make_nat na cone 1; A_IP=$(add_client a na 10); B_IP=$(add_client b na 11) ;;
    symmetric-cone) make_nat na symmetric 1; make_nat nb cone 2; A_IP=$(add_client a na 10); B_IP=$(add_client b nb 10) ;;
    sequential-cone) make_nat na sequential 1; make_nat nb cone 2; A_IP=$(add_client a na 10); B_IP=$(add_client b nb 10) ;;
    sequential-sequential) make_nat na sequential 1; make_nat nb sequential 2; A_IP=$(add_client a na 10); B_IP=$(add_client b nb 10) ;;
    symmetric-symmetric) make_nat na symmetric 1; make_nat nb symmetric 2; A_IP=$(add_client a na 10); B_IP=$(add_client b nb 10) ;;
    fullcone-symmetric) make_nat na fullcone 1; make_nat nb symmetric 2; A_IP=$(add_client a na 10); B_IP=$(add_client b nb 10) ;;
    double-nat) make_nat cg cgnat 4; make_nat na cone 5 cg; make_nat nb cone 2; A_IP=$(add_client a na 10); B_IP=$(add_client b nb 10) ;;
    udp-blocked) make_nat na blocked 1; make_nat nb cone 2; A_IP=$(add_client a na 10); B_IP=$(add_client b nb 10) ;;
    *) echo "unknown case $1" >&2; return 1 ;;
  esac
}

SERVERS="--server 198.51.100.10:3478 --server 198.51.100.11:3478"

# field LINE KEY: the value of KEY=... in a RESULT line.
field() { echo "$1" | tr ' ' '\n' | grep "^$2=" | head -1 | cut -d= -f2-; }

# Runs one attempt; appends "case loss attempt a_path b_path setup_ms direct_ms a_recv b_recv kind" to $WORK/rows.
run_attempt() {
  local case="$1" loss="$2" attempt="$3"
  make_internet "$loss"
  build_case "$case" || return 1
  rm -f "$WORK/ready"
  # Started with `ip netns exec` itself (not the ns function) so that $! is the process
  # that becomes `timeout`, which passes our SIGTERM on to the tool.
  ip netns exec "$P-srv" timeout 60 "$TOOL" server --probe 198.51.100.10:3478 --probe 198.51.100.11:3478 \
    --partner 198.51.100.12:3478 --ready-file "$WORK/ready" --lifetime 50 >"$WORK/server.log" 2>&1 &
  PIDS="$PIDS $!"
  for _ in $(seq 1 100); do [ -f "$WORK/ready" ] && break; sleep 0.05; done
  ip netns exec "$P-b" timeout 30 "$TOOL" client --name b --peer a --local "$B_IP:5000" $SERVERS --timeout 15 >"$WORK/b.out" 2>&1 &
  local pb=$!
  ip netns exec "$P-a" timeout 30 "$TOOL" client --name a --peer b --caller --local "$A_IP:5000" $SERVERS --timeout 15 >"$WORK/a.out" 2>&1 &
  local pa=$!
  PIDS="$PIDS $pa $pb"
  wait "$pa"; wait "$pb"
  cleanup
  local ra rb
  ra="$(grep '^RESULT' "$WORK/a.out" | tail -1)"
  rb="$(grep '^RESULT' "$WORK/b.out" | tail -1)"
  echo "$case $loss $attempt $(field "$ra" path) $(field "$rb" path) $(field "$ra" setup_ms) $(field "$ra" direct_ms)" \
       "$(field "$ra" received) $(field "$rb" received) $(field "$ra" kind) $(field "$ra" mapping)/$(field "$ra" filtering)" \
       "$(field "$rb" mapping)/$(field "$rb" filtering)" >>"$WORK/rows"
  echo "  $case loss=$loss% attempt $attempt: a: ${ra#RESULT } | b: ${rb#RESULT }"
}

percentile50() { sort -n | awk '{v[NR]=$1} END {if (NR == 0) print "-"; else print v[int((NR + 1) / 2)]}'; }

: >"$WORK/rows"
echo "NAT lab: cases [$CASES], loss [$LOSSES]%, $ATTEMPTS attempts each"
for case in $CASES; do
  for loss in $LOSSES; do
    for attempt in $(seq 1 "$ATTEMPTS"); do
      run_attempt "$case" "$loss" "$attempt" || { echo "case $case failed to build" >&2; exit 1; }
    done
  done
done

failures=0
{
  printf "%-20s %5s %9s %7s %6s %6s %11s %11s %9s  %s\n" case loss attempts direct relay none setup_p50 setup_max recv_a/b "NAT a | NAT b (mapping/filtering)"
  for case in $CASES; do
    for loss in $LOSSES; do
      rows="$(awk -v c="$case" -v l="$loss" '$1 == c && $2 == l' "$WORK/rows")"
      n=$(echo "$rows" | grep -c .)
      direct=$(echo "$rows" | awk '$4 == "direct" && $5 == "direct"' | grep -c .)
      relay=$(echo "$rows" | awk '$4 == "relay" || $5 == "relay"' | grep -c .)
      none=$((n - direct - relay))
      p50=$(echo "$rows" | awk '$6 >= 0 {print $6}' | percentile50)
      max=$(echo "$rows" | awk '$6 >= 0 {print $6}' | sort -n | tail -1)
      recv=$(echo "$rows" | awk '{a += $8; b += $9} END {printf "%d/%d", a, b}')
      nats=$(echo "$rows" | head -1 | awk '{print $11 " | " $12}')
      printf "%-20s %4s%% %9s %7s %6s %6s %9sms %9sms %9s  %s\n" "$case" "$loss" "$n" "$direct" "$relay" "$none" "$p50" "${max:--}" "$recv" "$nats"
      # Targets: every case but "UDP blocked" connects in every attempt; where at least one
      # side maps endpoint-independently and nothing is lost, the path is direct.
      if [ "$case" = udp-blocked ]; then
        blocked=$(echo "$rows" | awk '$4 == "blocked"' | grep -c .)
        [ "$blocked" = "$n" ] || failures=$((failures + 1))
      else
        [ "$none" = 0 ] || failures=$((failures + 1))
        case "$case" in
          symmetric-symmetric|symmetric-cone) ;;
          *) [ "$loss" != 0 ] || [ "$direct" = "$n" ] || failures=$((failures + 1)) ;;
        esac
      fi
    done
  done
} >"$WORK/matrix"
cat "$WORK/matrix"
[ -n "$REPORT" ] && cp "$WORK/matrix" "$REPORT"
if [ "$failures" != 0 ]; then
  echo "NAT lab: $failures row(s) missed their target"
  exit 1
fi
echo "NAT lab: every target met"
