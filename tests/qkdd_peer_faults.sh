#!/bin/bash
# qkdd when the peer channel misbehaves, under traffic: a flood of bare
# TCP connections (and some sending bytes that are no TLS) on the slave's
# peer listener holds up no batch, leaks no descriptor and is logged as one
# episode; a slave that stops answering for 30 s (SIGSTOP) costs no packet,
# is logged once by the master, and the pools refill in step when it
# answers again. The two gateways of tests/qkdnet.sh; runs in the test VM
# with qkd.ko loaded, as a test of tests/vm-suite.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"
. "$(dirname "$0")/qkdnet.sh"

QKDNET_CLEANUP=qkdnet_down_showing_logs

# start_stamped GW: GW's qkdd, as start_a and start_b start it, each line
# of its log led by the time it came (bash's EPOCHREALTIME: no process a
# line), so that the test can tell when batches finished.
start_stamped() {
	local var=QKDD_${1#gw-} log=${1#gw-}.log
	var=${var^^}
	echo "+ on $1 qkdd -c ${1#gw-}.conf (log lines stamped)" >&9
	# $! is qkdd's own pid: ip netns exec execs it.
	ip netns exec "$(ns "$1")" "$QKDD" -c "${1#gw-}.conf" 2> >(
		while IFS= read -r line; do
			printf '%s %s\n' "$EPOCHREALTIME" "$line"
		done >>"$log") &
	printf -v "$var" '%s' $!
}

# since T LOG: LOG's lines stamped T or later.
since() {
	awk -v t="$1" '$1 >= t' "$2"
}

# logged_since T GW PATTERN: GW's qkdd logged a line matching PATTERN at T
# or later.
logged_since() {
	since "$1" "${2#gw-}.log" | grep -q "$3"
}

# logged N GW PATTERN: GW's qkdd has logged N lines matching PATTERN, or more.
logged() {
	[ "$(grep -c "$3" "${2#gw-}.log")" -ge "$1" ]
}

# traffic SECS: about SECS seconds of pings from lan-a to lan-b, in the
# background (a count, not a deadline: at a deadline ping counts the
# echoes still in flight as lost); the pid is in $pinger.
traffic() {
	on lan-a ping -q -i 0.01 -l 3 -c $(($1 * 97)) -W 5 203.0.113.10 >ping.txt &
	pinger=$!
}

# no_loss: nothing was lost between the LANs (the hosts' kernel counters)
# and neither gateway refused an ESP packet (no SA, integrity, replay).
no_loss() {
	local lost
	lost=$(pings_lost)
	echo "pings: lan-a sent $(icmp lan-a IcmpOutEchos), lost $lost;" \
		"ESP refused: gw-a $(esp_errors gw-a), gw-b $(esp_errors gw-b)"
	[ "$lost" = 0 ] && [ "$(esp_errors gw-a)" = 0 ] && [ "$(esp_errors gw-b)" = 0 ]
}

# in_step_settled: read at a moment when no batch is in flight (settled,
# tests/qkdnet.sh), both modules committed the same batch, each side's out
# keys are the other's in keys, and no staged key was ever thrown away.
in_step_settled() {
	wait_until 30 settled
	set -- $LEDGER_A $LEDGER_B
	echo "committed: gw-a batch $1, out $3, in $4; gw-b batch $7, out $9, in ${10};" \
		"discarded uncommitted: $5 $6 ${11} ${12}"
	[ "$1" = "$7" ] && [ "$3" = "${10}" ] && [ "$4" = "$9" ] &&
		[ "$5$6${11}${12}" = 0000 ]
}

# pools_hold N: both pools of both gateways hold N keys or more.
pools_hold() {
	local gw
	for gw in gw-a gw-b; do
		on $gw qkdctl -j link show dc1 |
			jq -e ".[0].pool | .out.keys >= $1 and .in.keys >= $1" >/dev/null || return 1
	done
}

# fds GW: how many descriptors GW's qkdd holds.
fds() {
	local var=QKDD_${1#gw-}
	var=${var^^}
	ls "/proc/${!var}/fd" | wc -l
}

# fds_at_most GW N
fds_at_most() {
	[ "$(fds "$1")" -le "$2" ]
}

# max_gap FROM TO LOG: the longest wait, in seconds, between FROM, the
# "refilled" lines LOG stamped between FROM and TO, and TO.
max_gap() {
	awk -v from="$1" -v to="$2" '
		/refilled/ && $1 > from && $1 <= to { if ($1 - prev > max) max = $1 - prev; prev = $1 }
		BEGIN { prev = from }
		END { if (to - prev > max) max = to - prev; printf "%.1f\n", max }' "$3"
}

# flood SECS HOST:PORT: for SECS seconds, 20 TCP connections a second to
# HOST:PORT from gw-a (each second's at its start), each held open without
# a byte sent, every eighth sending a line of text that is no TLS; then
# all close at once. Prints how many connected.
flood() {
	on gw-a timeout $(($1 + 20)) bash -c '
		start=$SECONDS n=0 tries=0
		while [ $((SECONDS - start)) -lt $1 ]; do
			if [ $tries -ge $((20 * (SECONDS - start + 1))) ]; then
				sleep 0.1
				continue
			fi
			tries=$((tries + 1))
			if exec {fd}<>"/dev/tcp/${2%:*}/${2#*:}"; then
				n=$((n + 1))
				[ $((n % 8)) != 0 ] || printf "GET / HTTP/1.0\r\n\r\n" >&$fd
			fi
		done 2>/dev/null
		echo $n' flood "$1" "$2"
}

# A batch of the throttled link below finishes every second or two, each
# rekey (every 2 s on either side) taking a pool below its low-water mark:
# measured in the VM without a flood, the longest wait between two
# "refilled" lines of the master is 2.1 s. A listener that blocks on a
# silent connection waits 10 s for it.
MAX_GAP=5

t_a_connect_flood_on_the_slaves_listener_holds_up_no_batch() {
	local CAP=16 t0 t1 base n n_end gap quiet
	# The paper's 4 dB link: 1880 bit/s, seven 256-bit keys a second,
	# against the one a second that rekeys every 2 s on both sides take.
	kmesim_up --rate 1880 --initial-keys 64
	confs_xfrm "low-water = 15" "rekey-time = 2" "max-key-age = 60"
	start_stamped gw-b
	start_stamped gw-a
	# The first batch waits for both KME connections, slow in a VM just
	# booted.
	run wait_until 60 logged 1 gw-a refilled
	run wait_ready gw-a
	run wait_ready gw-b
	sa_watch
	traffic 45
	# Batches at their pace without a flood, for comparison.
	t0=$EPOCHREALTIME
	run wait_until 30 logged $(($(grep -c refilled a.log) + 4)) gw-a refilled
	echo "longest wait between batches without a flood: $(max_gap "$t0" "$EPOCHREALTIME" a.log) s"
	base=$(fds gw-b)
	# 25 s of connections that never finish a handshake.
	t0=$EPOCHREALTIME
	n=$(flood 25 192.0.2.2:7000)
	t1=$EPOCHREALTIME
	gap=$(max_gap "$t0" "$t1" a.log)
	echo "flood: $n connections in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }') s;" \
		"longest wait between batches: $gap s (at most $MAX_GAP)"
	# Every connection of the flood closed, none kept.
	n_end=$(fds gw-b)
	echo "qkdd of gw-b: $base descriptors before the flood, $n_end as it ends"
	run wait_until 20 fds_at_most gw-b "$base"
	# The flood, one episode: its first failure, that more came, and
	# their count once none had come for 5 s.
	run wait_until 20 grep -q 'peer listener: [0-9]* more connections failed' b.log
	since "$t0" b.log | grep 'peer' | tee flood-log.txt
	[ "$(wc -l <flood-log.txt)" = 3 ]
	quiet=$(sed -n 's/.*peer listener: \([0-9]*\) more connections failed.*/\1/p' flood-log.txt)
	[ $((quiet + 1)) = "$n" ]
	wait $pinger || true
	kill $watch_pid
	wait $watch_pid || true
	cat ping.txt
	no_loss
	mirrored gw-a gw-b
	mirrored gw-b gw-a
	in_step_settled
	[ "$n" -ge 400 ]
	awk -v g="$gap" -v m="$MAX_GAP" 'BEGIN { exit !(g <= m) }'
}

t_a_slave_stopped_for_30_s_costs_no_packet_and_the_pools_refill_in_step() {
	local CAP=48 t0 lines
	# Rekeys every 2 s on both sides take about 15 keys from each pool in
	# 30 s: 48 keys, at least 44 (low water) when the slave stops, last
	# the outage and the reconnection with room to spare.
	kmesim_up
	confs_xfrm "low-water = 44" "rekey-time = 2" "max-key-age = 120"
	start_stamped gw-b
	start_stamped gw-a
	run wait_until 60 logged 1 gw-a refilled
	run wait_ready gw-a
	run wait_ready gw-b
	run wait_until 60 pools_hold 44
	sa_watch
	# The stop, the master's 15 s to notice, a reconnection and a batch.
	traffic 50
	t0=$EPOCHREALTIME
	echo "+ kill -STOP qkdd of gw-b, for 30 s" >&9
	kill -STOP "$QKDD_B"
	sleep 30
	kill -CONT "$QKDD_B"
	# The master noticed (no answer to the POOLS it sent at the pools'
	# low-water mark), reconnected and refilled both sides.
	run wait_until 60 logged_since "$t0" gw-a 'in step, last batch'
	run wait_until 30 logged_since "$t0" gw-b refilled
	run wait_until 60 pools_hold 44
	wait $pinger || true
	kill $watch_pid
	wait $watch_pid || true
	cat ping.txt
	# The outage, from the master's side: a few lines, not one a second.
	since "$t0" a.log | sed '/in step, last batch/q' | tee outage-log.txt
	lines=$(wc -l <outage-log.txt)
	grep -q 'connection closed: no answer' outage-log.txt
	[ "$lines" -le 6 ]
	no_loss
	mirrored gw-a gw-b
	mirrored gw-b gw-a
	in_step_settled
	! grep -q 'flushed' a.log b.log
}

qkdnet_certs || { echo "not ok 1 mkcerts"; exit 1; }
tap_one "$@"

tap_test "a connect flood on the slave's peer listener holds up no batch, leaks nothing and is logged as one episode" t_a_connect_flood_on_the_slaves_listener_holds_up_no_batch
tap_test "a slave stopped for 30 s costs no packet, is logged once by the master and the pools refill in step" t_a_slave_stopped_for_30_s_costs_no_packet_and_the_pools_refill_in_step
tap_done
