#!/bin/bash
# Bench row 2, data path: iperf3 TCP from lan-a to lan-b (tests/topo.sh)
# through three pairs of gateways side by side, in interleaved repetitions
# (plain, module, rotating, plain, module, rotating, ...):
#   plain:    identical SAs added with `ip xfrm state add` (AES-GCM-256,
#             ESN, 128-packet replay window, tunnel mode, reqid 42);
#   module:   the module's SAs, no rotation during the runs;
#   rotating: the module's SAs with rekey-time 1 on both gateways, a
#             rotation from the soft lifetime every second.
# A ratio is the median of the per-repetition ratios against that
# repetition's plain run; its noise is the standard error of their mean
# (and half their range), and plain against plain (the same of the plain
# runs) is stated beside it.
# Runs in the VM with qkd.ko loaded.
#
# usage: datapath.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/topo.sh
reps=11 secs=5
[ "${1-}" != --quick ] || { reps=1 secs=1; }
cfgs=(plain module rotating)
cleanup() {
	local c
	for c in "${cfgs[@]}"; do
		[ ! -f "iperf3-$c.pid" ] || kill "$(cat "iperf3-$c.pid")" 2>/dev/null || true
		TOPO=bench-$c topo_down || true
	done
}
trap cleanup EXIT
cd "$(mktemp -d)"
# Under TCG a TCP transfer alone overflows the default backlog (as in
# tests/ipsec.sh).
sysctl -qw net.core.netdev_max_backlog=100000

key36() { printf '0x%072x' "$1"; }

plain_sas() {
	ip -n "$(ns gw-a)" -batch - <<-EOF
		xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1001 reqid 42 mode tunnel flag esn replay-window 128 aead rfc4106(gcm(aes)) $(key36 11) 128
		xfrm state add src 192.0.2.2 dst 192.0.2.1 proto esp spi 0x1002 reqid 42 mode tunnel flag esn replay-window 128 aead rfc4106(gcm(aes)) $(key36 22) 128
	EOF
	ip -n "$(ns gw-b)" -batch - <<-EOF
		xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1001 reqid 42 mode tunnel flag esn replay-window 128 aead rfc4106(gcm(aes)) $(key36 11) 128
		xfrm state add src 192.0.2.2 dst 192.0.2.1 proto esp spi 0x1002 reqid 42 mode tunnel flag esn replay-window 128 aead rfc4106(gcm(aes)) $(key36 22) 128
	EOF
}

setup() {
	TOPO=bench-$1
	case "$1" in
	plain)
		topo_up
		policies gw-a 192.0.2.1 192.0.2.2 198.51.100.0/24 203.0.113.0/24 42
		policies gw-b 192.0.2.2 192.0.2.1 203.0.113.0/24 198.51.100.0/24 42
		plain_sas ;;
	module)
		gateways
		feed 1 8
		wait_ready gw-a
		wait_ready gw-b ;;
	rotating)
		gateways rekey-time 1
		# A key a second each way, and some to spare.
		feed 1 $((reps * (secs + 4) * 3 + 40))
		wait_ready gw-a
		wait_ready gw-b ;;
	esac
	on lan-b iperf3 -s -D -I "$PWD/iperf3-$1.pid"
	sleep 0.5
	# One short warm-up transfer: the first connection pays for the route
	# and neighbour lookups, and in the module's case the peer's switch.
	on lan-a iperf3 -c 203.0.113.10 -t 1 >/dev/null 2>&1 || true
}

# rate CFG: iperf3's received bits/s through CFG's gateways, over $secs s.
rate() {
	TOPO=bench-$1
	on lan-a iperf3 -c 203.0.113.10 -t "$secs" -J | jq '.end.sum_received.bits_per_second'
}

# out_used CFG GW: keys GW's link has taken from its out pool.
out_used() {
	TOPO=bench-$1
	on "$2" qkdctl -j link show dc1 | jq -s '[.. | objects | select(has("pool"))][0].pool.out.used'
}

# stats FILE: "median halfrange_fraction sem_fraction" of the numbers in
# FILE, the last the standard error of their mean over the median.
stats() {
	sort -g "$1" | awk '{ v[NR] = $1; s += $1; q += $1 * $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		sd = NR > 1 ? sqrt((q - s * s / NR) / (NR - 1)) : 0
		printf "%.6g %.4g %.4g\n", m, m ? (v[NR] - v[1]) / 2 / m : 0,
			m ? sd / sqrt(NR) / m : 0 }'
}

for c in "${cfgs[@]}"; do setup "$c"; done
TOPO=bench-rotating
on gw-a ip xfrm state | sed 's/^/# rotating gw-a: /' | head -n 12
used0=$(out_used rotating gw-a)
t_start=$(date +%s.%N)
: >plain.txt
: >module.txt
: >rotating.txt
for ((r = 1; r <= reps; r++)); do
	p=$(rate plain)
	m=$(rate module)
	q=$(rate rotating)
	echo "# rep $r: plain $p module $m rotating $q bit/s"
	echo "$p" >>plain.txt
	awk -v a="$m" -v b="$p" 'BEGIN { print a / b }' >>module.txt
	awk -v a="$q" -v b="$p" 'BEGIN { print a / b }' >>rotating.txt
done
rotations=$(($(out_used rotating gw-a) - used0))
rot_secs=$(echo "$(date +%s.%N) - $t_start" | bc)
read -r pm ps pse < <(stats plain.txt)
read -r mm msp mse < <(stats module.txt)
read -r rm rsp rse < <(stats rotating.txt)
pct() { echo "$1" | awk '{ printf "±%.0f%%", $1 * 100 }'; }
# mbit X [Y]: X (times Y) bits/s in Mbit/s.
mbit() { awk -v a="$1" -v b="${2:-1}" 'BEGIN { printf "%.1f Mbit/s", a * b / 1e6 }'; }
echo "bench|2 data path|iperf3 TCP through the module's SAs|$(mbit "$mm" "$pm")|identical ip xfrm SAs, $(mbit "$pm")|$mm|$(pct "$mse") (standard error), half range $(pct "$msp"); plain against plain $(pct "$pse"), $(pct "$ps")|$reps interleaved repetitions of $secs s; ratio the median of per-repetition ratios"
echo "bench|2 data path|iperf3 TCP, module rotating every second (rekey-time 1)|$(mbit "$rm" "$pm")|identical ip xfrm SAs, $(mbit "$pm")|$rm|$(pct "$rse") (standard error), half range $(pct "$rsp"); plain against plain $(pct "$pse"), $(pct "$ps")|$rotations rotations of gw-a's out SA in the $(printf '%.0f' "$rot_secs") s of all the runs"
