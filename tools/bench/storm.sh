#!/bin/bash
# Bench row 4, the rotation storm under traffic: gw-a and gw-b
# (tests/topo.sh) share SAMPLE links, each keying one pair of LAN hosts
# (a reqid and /32 policies of its own) with a ping stream on each; then
# tools/bench/scale --here adds N more links to gw-a, waits until all have
# their SAs, and rekeys every link of gw-a at once, the sampled ones among
# them. Packets lost: the sampled hosts' echo requests against their echo
# replies (lan-a's kernel counters), over the whole run.
# Runs in the VM with qkd.ko loaded.
#
# usage: storm.sh LINKS...
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BUILD:-$PWD/build}/bench-bin
. tests/topo.sh
TOPO=bench-storm
SAMPLE=4
pingers=()
cleanup() {
	local p
	for p in "${pingers[@]}"; do kill "$p" 2>/dev/null || true; done
	topo_down || true
}
trap cleanup EXIT
cd "$(mktemp -d)"

icmp() {
	on "$1" nstat -az "$2" | awk -v c="$2" '$1 == c { print $2 }'
}

# sample: links s1..s$SAMPLE on both gateways, reqid 20001.., between
# 198.51.100.2J and 203.0.113.2J, each with keys of its own (the SPI comes
# from the key, and two SAs never share one).
sample() {
	local j a b
	topo_up
	for ((j = 1; j <= SAMPLE; j++)); do
		a=198.51.100.2$j b=203.0.113.2$j
		on lan-a ip addr add $a/24 dev lan-a
		on lan-b ip addr add $b/24 dev lan-b
		policies gw-a 192.0.2.1 192.0.2.2 $a/32 $b/32 $((20000 + j))
		policies gw-b 192.0.2.2 192.0.2.1 $b/32 $a/32 $((20000 + j))
		on gw-a qkdctl link add s$j local-sae gw-a peer-sae gw-b \
			local-addr 192.0.2.1 peer-addr 192.0.2.2 reqid $((20000 + j))
		on gw-b qkdctl link add s$j local-sae gw-b peer-sae gw-a \
			local-addr 192.0.2.2 peer-addr 192.0.2.1 reqid $((20000 + j))
		qkd_keys $((1000 * j)) 16 >keys.txt
		on gw-a qkdctl key load s$j file keys.txt
		swap_dirs <keys.txt | on gw-b qkdctl key load s$j
	done
}

storm() {
	local n=$1 j req0 rep0 req rep deadline out t switched links
	sample
	# wait_ready's check, for each sampled link.
	for ((j = 1; j <= SAMPLE; j++)); do
		deadline=$((SECONDS + 30))
		until on gw-a qkdctl -j sa show s$j | jq -e -s '.[0] // [] |
			([.[] | select(.dir == "out" and .state == "active")] | length == 1)' >/dev/null &&
			on gw-b qkdctl -j sa show s$j | jq -e -s '.[0] // [] |
			([.[] | select(.dir == "in" and .state == "pending")] | length >= 2)' >/dev/null; do
			[ $SECONDS -lt $deadline ] || { echo "storm: link s$j not ready" >&2; return 1; }
			sleep 0.2
		done
	done
	req0=$(icmp lan-a IcmpOutEchos) rep0=$(icmp lan-a IcmpInEchoReps)
	pingers=()
	for ((j = 1; j <= SAMPLE; j++)); do
		ip netns exec "$(ns lan-a)" ping -q -i 0.02 -W 1 -I 198.51.100.2$j 203.0.113.2$j \
			>/dev/null 2>&1 &
		pingers+=($!)
	done
	out=$(on gw-a "$BIN/scale" --here --links "$n")
	for j in "${pingers[@]}"; do kill "$j"; wait "$j" 2>/dev/null || true; done
	pingers=()
	deadline=$((SECONDS + 3))
	while :; do
		req=$(icmp lan-a IcmpOutEchos) rep=$(icmp lan-a IcmpInEchoReps)
		[ $((req - rep)) -le $((req0 - rep0)) ] || [ $SECONDS -ge $deadline ] && break
		sleep 0.2
	done
	read -r _ t switched links <<<"$out"
	local sent=$((req - req0)) lost=$((req - req0 - (rep - rep0)))
	topo_down
	echo "bench|4 scale, $n links|rotation storm under traffic: pings lost on $SAMPLE sampled links|$lost of $sent|none lost|$(awk -v l="$lost" -v s="$sent" 'BEGIN { printf "%.4f", s ? l / s : 1 }')|exact counts|$switched of $links links of gw-a on a new out SA after a storm of $t s, the $SAMPLE sampled among them; lan-a's kernel ICMP counters over the whole run"
}

for n in "$@"; do storm "$n"; done
