#!/bin/bash
# qkdd, the helper daemon, between two gateways: the master qkdd in gw-a
# and the slave in gw-b each keep link dc1 filled from kmesim (KME A for
# sae-a, KME B for sae-b, both listening on gw-a's wire address), in step:
# the same key IDs in the same order, directions swapped. A KME answer that
# is wrong in any way is logged and nothing of it is pushed. Runs in the
# test VM with qkd.ko loaded; each test builds its namespaces afresh (the
# topology of tests/qkdnet.sh).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"
. "$(dirname "$0")/qkdnet.sh"

CAP=100
QKDNET_CLEANUP=qkdnet_down_showing_logs

# added_is GW "OUT IN"
added_is() {
	[ "$(added "$1")" = "$2" ]
}

# nothing_pushed: no key ever reached either gateway's pools.
nothing_pushed() {
	added_is gw-a "0 0" && added_is gw-b "0 0"
}

# no_secrets LOG: no run of 40 or more base64 or hex characters, as key
# material would be (a 256-bit key is 44 in base64, 64 in hex).
no_secrets() {
	! grep -E '[A-Za-z0-9+/=]{40,}' "$1"
}

t_both_gateways_fill_with_the_same_keys_and_stop_on_sigterm() {
	kmesim_up
	confs
	# A link that exists already is brought in line with the file.
	run on gw-a qkdctl link add dc1 capacity 50 local-sae sae-a peer-sae sae-b
	start_b
	start_a
	wait_until 60 full $CAP
	in_step
	grep -q 'qkdd: link dc1: updated capacity, low-water' a.log
	# Two batches (the KME gives 128 keys a request), each logged once.
	cat a.log b.log
	grep -q 'qkdd: link dc1: refilled out +64 in +64 (batch 1)' a.log
	grep -q 'qkdd: link dc1: refilled out +64 in +64 (batch 1)' b.log
	grep -q 'qkdd: link dc1: refilled out +36 in +36 (batch 2)' a.log
	grep -q 'qkdd: link dc1: refilled out +36 in +36 (batch 2)' b.log
	no_secrets a.log
	no_secrets b.log
	# SIGTERM: both exit 0.
	run kill -TERM "$QKDD_A" "$QKDD_B"
	wait "$QKDD_A"
	wait "$QKDD_B"
	QKDD_A= QKDD_B=
	grep -q 'qkdd: Terminated, exiting' a.log
	grep -q 'qkdd: Terminated, exiting' b.log
}

# newest_out_is GW N: GW's newest out SA has the key of index N.
newest_out_is() {
	[ "$(sa_keys "$1" out | tail -n 1 | cut -d' ' -f1)" = "$2" ]
}

t_sas_on_both_sides_use_the_same_keys_in_order() {
	kmesim_up
	confs_xfrm
	start_b
	start_a
	run wait_ready gw-a
	run wait_ready gw-b
	wait_until 60 in_step
	run on gw-a qkdctl sa show
	run on gw-b qkdctl sa show
	# Each side's first out key is the other's first in key, same SPI.
	sa_keys gw-a out | tee a-out.txt
	sa_keys gw-b in | tee b-in.txt
	sa_keys gw-b out | tee b-out.txt
	sa_keys gw-a in | tee a-in.txt
	grep -q '^1 ' a-out.txt
	grep -qxF "$(grep '^1 ' a-out.txt)" b-in.txt
	grep -q '^1 ' b-out.txt
	grep -qxF "$(grep '^1 ' b-out.txt)" a-in.txt
	# A rekey takes the next out key: the peer's next in key.
	run on gw-a qkdctl link rekey dc1
	run on gw-b qkdctl link rekey dc1
	wait_until 10 newest_out_is gw-a 2
	wait_until 10 newest_out_is gw-b 2
	sa_keys gw-a out | tail -n 1 | tee a-out2.txt
	sa_keys gw-b out | tail -n 1 | tee b-out2.txt
	grep -q '^2 ' b-in.txt
	grep -qxF "$(cat a-out2.txt)" b-in.txt
	grep -qxF "$(cat b-out2.txt)" a-in.txt
}

t_a_flush_on_both_sides_brings_a_refill() {
	kmesim_up
	confs "low-water = 50"
	start_b
	start_a
	wait_until 60 full $CAP
	run on gw-a qkdctl key flush dc1
	run on gw-b qkdctl key flush dc1
	wait_until 30 added_is gw-a "$((2 * CAP)) $((2 * CAP))"
	wait_until 30 full $CAP
	in_step
	grep 'low-water\|empty' a.log b.log
}

# logged N GW PATTERN: GW's qkdd has logged N lines matching PATTERN, or more.
logged() {
	[ "$(grep -c "$3" "${2#gw-}.log")" -ge "$1" ]
}

# hellos N GW: GW's qkdd has logged N HELLO exchanges or more.
hellos() {
	logged "$1" "$2" 'in step, last batch'
}

t_a_restarted_slave_carries_on_from_its_module() {
	kmesim_up
	confs
	start_b
	start_a
	wait_until 60 full $CAP
	run kill9 gw-b
	start_b
	run wait_until 30 hellos 2 gw-a
	run wait_until 30 hellos 1 gw-b
	# The modules kept the batch numbers: nothing to flush, nothing lost.
	grep 'in step' a.log b.log
	grep -q 'in step, last batch 2$' b.log
	grep 'flushed\|discarded' a.log b.log && fail "a pool was flushed or discarded keys"
	added_is gw-a "$CAP $CAP"
	in_step
	# And the next batch is numbered on.
	run on gw-a qkdctl key flush dc1
	run on gw-b qkdctl key flush dc1
	wait_until 30 full $CAP
	grep -q 'refilled out +64 in +64 (batch 3)' b.log
}

t_keys_fed_by_hand_are_flushed_at_the_first_hello() {
	kmesim_up
	confs
	run on gw-a qkdctl link add dc1 local-sae sae-a peer-sae sae-b capacity $CAP
	qkd_keys 1 4 >keys.txt
	run on gw-a qkdctl key load dc1 file keys.txt
	start_b
	start_a
	wait_until 60 full $CAP
	grep -q "flushed both pools: our pools hold keys from no batch" a.log
	grep -q "flushed both pools: the peer's pools hold keys from no batch" b.log
	# The four keys by hand went; the pools hold the same keys since.
	[ "$(pool gw-a out discarded-flush)" = 4 ]
	[ "$(pool gw-a in discarded-flush)" = 4 ]
	added_is gw-a "$((CAP + 4)) $((CAP + 4))"
	added_is gw-b "$CAP $CAP"
}

# traffic SECS: about SECS seconds of pings from lan-a to lan-b, in the
# background (a count, not a deadline: at a deadline ping counts the
# echoes still in flight as lost); the pid is in $pinger.
traffic() {
	on lan-a ping -q -i 0.01 -l 3 -c $(($1 * 97)) -W 5 203.0.113.10 >ping.txt &
	pinger=$!
}

# no_loss: nothing was lost between the LANs and neither gateway refused
# an ESP packet (no SA, integrity, replay): no SA differs between them.
no_loss() {
	local lost
	lost=$(pings_lost)
	echo "pings: lan-a sent $(icmp lan-a IcmpOutEchos), lost $lost"
	on gw-a grep -vE '\s0$' /proc/net/xfrm_stat | sed 's/^/gw-a: /' || true
	on gw-b grep -vE '\s0$' /proc/net/xfrm_stat | sed 's/^/gw-b: /' || true
	[ "$lost" = 0 ] && [ "$(esp_errors gw-a)" = 0 ] && [ "$(esp_errors gw-b)" = 0 ]
}

# batches GW: the batches GW's qkdd has finished ("refilled" lines).
batches() {
	grep -c 'refilled' "${1#gw-}.log"
}

# crash_at GW STEP: restarts GW's qkdd so that it kills itself at STEP of
# its next batch, waits for that, and starts it again for good.
crash_at() {
	local var=QKDD_${1#gw-}
	var=${var^^}
	kill9 "$1"
	if [ "$1" = gw-a ]; then QKDD_CRASH_AT=$2 start_a; else QKDD_CRASH_AT=$2 start_b; fi
	run wait_until 60 grep -q "QKDD_CRASH_AT=$2: killing myself" "${1#gw-}.log"
	wait "${!var}" 2>/dev/null || true
	if [ "$1" = gw-a ]; then start_a; else start_b; fi
}

t_sigkill_of_either_qkdd_mid_traffic_loses_nothing() {
	local CAP=16
	# Small pools drained by rekeys every 2 s: a batch every few seconds.
	kmesim_up
	confs_xfrm "low-water = 14" "rekey-time = 2" "max-key-age = 60"
	start_b
	start_a
	run wait_ready gw-a
	run wait_ready gw-b
	sa_watch
	traffic 75
	# At a random moment, each side.
	run wait_until 30 logged 2 gw-a refilled
	run kill9 gw-a
	start_a
	run wait_until 30 hellos 2 gw-a
	run kill9 gw-b
	start_b
	run wait_until 30 hellos 2 gw-b
	# At the worst moments of a batch: every step after which a side's
	# module holds part of it.
	crash_at gw-a master-staged
	run wait_until 60 grep -q 'completed after a restart' a.log
	crash_at gw-a master-committed-in
	run wait_until 60 logged 2 gw-a 'completed after a restart'
	crash_at gw-b slave-staged
	run wait_until 60 grep -q 'discarded staged batch .*: the peer never staged it' b.log
	crash_at gw-b slave-committed
	run wait_until 60 grep -q 'completed after a restart' b.log
	# And batches go on.
	run wait_until 60 logged $(($(batches gw-a) + 1)) gw-a refilled
	wait $pinger || true
	kill $watch_pid
	wait $watch_pid || true
	cat ping.txt
	grep 'in step\|completed\|discarded\|flushed\|QKDD_CRASH' a.log b.log
	no_loss
	grep 'flushed' a.log b.log && fail "a pool was flushed"
	mirrored gw-a gw-b
	mirrored gw-b gw-a
	in_step
}

# pool GW DIR FIELD: a counter of GW's dc1 pool DIR.
pool() {
	on "$1" qkdctl -j link show dc1 | jq -r ".[0].pool.$2[\"$3\"]"
}

t_a_throttled_kme_keeps_both_pools_filled_through_a_minute_of_rekeys() {
	local CAP=32 lost
	# The paper's 4 dB link: 1880 bit/s, seven 256-bit keys a second,
	# against one key a second that rekeys every 2 s on both sides take.
	kmesim_up --rate 1880
	confs_xfrm "low-water = 24" "rekey-time = 2" "max-key-age = 30"
	# Both daemons as nobody, with no capability but the two qkdd needs.
	unprivileged 65534
	start_b
	start_a
	run wait_ready gw-a
	run wait_ready gw-b
	caps_are gw-a 65534
	caps_are gw-b 65534
	grep 'cannot lock memory' a.log b.log && fail "qkdd could not lock its memory"
	sa_watch
	# A count, not a deadline (at a deadline ping counts the echoes in
	# flight as lost): about 97 a second under TCG, so a minute or more.
	run on lan-a ping -q -i 0.01 -l 3 -c 5800 -W 5 203.0.113.10 || true
	kill $watch_pid
	wait $watch_pid || true
	no_loss
	# Rekeys every 2 s on both sides, and qkdd refilled as they drained.
	echo "out SAs: gw-a $(pool gw-a out used), gw-b $(pool gw-b out used)"
	[ "$(pool gw-a out used)" -ge 20 ]
	[ "$(pool gw-b out used)" -ge 20 ]
	grep -c 'refilled' a.log
	[ "$(grep -c 'refilled' a.log)" -ge 4 ]
	# Every SA has its mirror on the other side.
	mirrored gw-a gw-b
	mirrored gw-b gw-a
	# The counters agree: the same keys arrived on both sides, none was
	# thrown away, and each side's receive SAs run at most rx-window keys
	# ahead of the peer's send SAs.
	in_step
	[ "$(pool gw-a out discarded-flush)$(pool gw-a in discarded-flush)" = 00 ]
	[ "$(pool gw-b out discarded-flush)$(pool gw-b in discarded-flush)" = 00 ]
	local d
	for d in "gw-a gw-b" "gw-b gw-a"; do
		set -- $d
		local sent recv
		sent=$(pool $1 out used)
		recv=$(pool $2 in used)
		echo "$1 out used $sent, $2 in used $recv"
		[ "$recv" -ge "$sent" ]
		[ "$recv" -le $((sent + 2)) ]
	done
}

# fault_is_refused LISTENER MODE TEXT: with kmesim answering MODE on
# LISTENER, the side that asked logs TEXT and nothing reaches either pool,
# not even after the master's first retry.
fault_is_refused() {
	local log=a.log
	[ "$1" = a ] || log=b.log
	kmesim_up --fault "$2" --fault-listener "$1"
	confs
	start_b
	start_a
	wait_until 30 grep -q "$3" $log
	# The second failure: the master's backoff doubled after the first.
	wait_until 30 grep -q 'link dc1: .*; nothing pushed; next try in 2 s' a.log
	cat a.log b.log
	nothing_pushed
	no_secrets a.log
	no_secrets b.log
}

t_malformed_json_from_the_kme_is_logged_and_nothing_pushed() {
	fault_is_refused a malformed-json 'link dc1: KME: enc_keys: malformed JSON.*; nothing pushed'
}

t_a_wrong_key_size_from_the_kme_is_logged_and_nothing_pushed() {
	fault_is_refused a wrong-size 'link dc1: KME: enc_keys: key 1 (.*): key is 31 bytes, expected 32; nothing pushed'
}

t_a_duplicate_key_id_from_the_kme_is_logged_and_nothing_pushed() {
	fault_is_refused a duplicate-id 'link dc1: KME: enc_keys: key .*: duplicate key_ID; nothing pushed'
}

t_a_bad_dec_keys_answer_makes_the_slave_refuse_the_batch() {
	fault_is_refused b wrong-size 'link dc1: batch 1 refused: KME: dec_keys: key 1 (.*): key is 31 bytes, expected 32; nothing pushed'
	grep -q 'link dc1: peer refused batch 1: KME: dec_keys' a.log
}

t_a_kme_certificate_that_does_not_verify_is_logged() {
	kmesim_up
	confs
	sed -i "s|^kme-ca = .*|kme-ca = $CERTS/foreign-ca.pem|" a.conf
	start_b
	start_a
	wait_until 30 grep -q 'link dc1: KME: status: SSL certificate problem' a.log
	cat a.log
	nothing_pushed
}

t_a_peer_with_the_wrong_name_is_refused() {
	kmesim_up
	confs
	sed -i 's/^peer-name = .*/peer-name = someone-else/' b.conf
	start_b
	start_a
	wait_until 30 grep -q 'certificate CN "qkdd-a" is not peer-name "someone-else"' b.log
	wait_until 30 grep -q 'the peer refused us' a.log
	cat a.log b.log
	nothing_pushed
}

t_check_config_is_silent_on_a_good_file_and_names_a_bad_line() {
	A=192.0.2.1:1 B=192.0.2.1:2
	confs
	[ -z "$("$QKDD" -c a.conf --check-config 2>&1)" ]
	echo "colour = blue" >>a.conf
	expect_status 1 "$QKDD" -c a.conf --check-config 2>err.txt
	cat err.txt
	[ "$(cat err.txt)" = 'qkdd: a.conf:18: unknown key "colour" in [link]' ]
	expect_status 2 "$QKDD" --check-config
	expect_status 2 "$QKDD" -c a.conf --bogus
}

qkdnet_certs || { echo "not ok 1 mkcerts"; exit 1; }
tap_one "$@"

# Each test has namespaces of its own (TOPO): two at once, but for the
# two that measure loss, which run alone, and on the debug kernel, where
# two daemons and a KME a test, twice over, overrun the tests' deadlines
# (a qkdd not yet started after 30 s was seen).
TAP_JOBS=2
[ "${QKD_DEBUG_KERNEL:-0}" != 1 ] || TAP_JOBS=1
tap_test "both gateways fill with the same keys and stop on SIGTERM" t_both_gateways_fill_with_the_same_keys_and_stop_on_sigterm
tap_test "SAs on both sides use the same keys in order" t_sas_on_both_sides_use_the_same_keys_in_order
tap_test "a restarted slave carries on from its module" t_a_restarted_slave_carries_on_from_its_module
# Flushes by hand and by qkdd: on the debug kernel KEY_FLUSH is the batch,
# keys and netlink fuzzer tests' already, and each of these two takes
# 100 s there.
if [ "${QKD_DEBUG_KERNEL:-0}" != 1 ]; then
	tap_test "a flush on both sides brings a refill" t_a_flush_on_both_sides_brings_a_refill
	tap_test "keys fed by hand are flushed at the first HELLO" t_keys_fed_by_hand_are_flushed_at_the_first_hello
fi
# qkdd's own refusals of bad answers, certificates and files: nothing of
# the kernel's to check on the debug kernel, where each takes a minute.
if [ "${QKD_DEBUG_KERNEL:-0}" != 1 ]; then
	tap_test "malformed JSON from the KME is logged and nothing pushed" t_malformed_json_from_the_kme_is_logged_and_nothing_pushed
	tap_test "a wrong key size from the KME is logged and nothing pushed" t_a_wrong_key_size_from_the_kme_is_logged_and_nothing_pushed
	tap_test "a duplicate key ID from the KME is logged and nothing pushed" t_a_duplicate_key_id_from_the_kme_is_logged_and_nothing_pushed
	tap_test "a bad dec_keys answer makes the slave refuse the batch" t_a_bad_dec_keys_answer_makes_the_slave_refuse_the_batch
	tap_test "a KME certificate that does not verify is logged" t_a_kme_certificate_that_does_not_verify_is_logged
	tap_test "a peer with the wrong name is refused" t_a_peer_with_the_wrong_name_is_refused
	tap_test "check-config is silent on a good file and names a bad line" t_check_config_is_silent_on_a_good_file_and_names_a_bad_line
fi
tap_run_queue
TAP_JOBS=1
# Minutes of traffic that measure loss, not memory: on the debug kernel
# the kernel paths they take (stage, commit, abort, rekeys) are the
# batch, IPsec and fault-injection tests' already.
if [ "${QKD_DEBUG_KERNEL:-0}" != 1 ]; then
	tap_test "SIGKILL of either qkdd mid-traffic loses nothing" t_sigkill_of_either_qkdd_mid_traffic_loses_nothing
	tap_test "a throttled KME keeps both pools filled through a minute of rekeys, both qkdd running as nobody with CAP_NET_ADMIN and CAP_IPC_LOCK only" t_a_throttled_kme_keeps_both_pools_filled_through_a_minute_of_rekeys
fi
tap_done
