#!/bin/bash
# qkdd against KMEs that bend ETSI GS QKD 014 as KMEs met in the field do
# (kmesim --quirk): a stored_key_count of the keys not yet fetched (0 at
# rest), 400 "try again later" for an empty store, HTML error pages, fewer
# keys than asked, Connection: close on every reply. qkdd fills both pools
# all the same, loses nothing, and logs each way once. The two gateways of
# tests/qkdnet.sh; runs in the test VM with qkd.ko loaded, as a test of
# tests/vm-suite.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"
. "$(dirname "$0")/qkdnet.sh"

CAP=32
QKDNET_CLEANUP=qkdnet_down_showing_logs

# once LOG PATTERN: LOG has exactly one line matching PATTERN.
once() {
	local n
	n=$(grep -c -- "$2" "$1" || true)
	echo "$1: $n x $2"
	[ "$n" = 1 ]
}

# no_secrets LOG: no run of 40 or more base64 or hex characters, as key
# material would be (a 256-bit key is 44 in base64, 64 in hex).
no_secrets() {
	! grep -E '[A-Za-z0-9+/=]{40,}' "$1"
}

# pool GW DIR FIELD: a counter of GW's dc1 pool DIR.
pool() {
	on "$1" qkdctl -j link show dc1 | jq -r ".[0].pool.$2[\"$3\"]"
}

# no_loss: nothing was lost between the LANs (the hosts' kernel counters)
# and neither gateway refused an ESP packet.
no_loss() {
	local lost
	lost=$(pings_lost)
	echo "pings: lan-a sent $(icmp lan-a IcmpOutEchos), lan-b answered" \
		"$(icmp lan-b IcmpOutEchoReps), lost $lost;" \
		"ESP refused: gw-a $(esp_errors gw-a), gw-b $(esp_errors gw-b)"
	[ "$lost" = 0 ] && [ "$(esp_errors gw-a)" = 0 ] && [ "$(esp_errors gw-b)" = 0 ]
}

# filled GW: GW's pools each took in CAP keys or more: they were filled
# (SAs installed meanwhile take keys, so the pools need not be full now).
filled() {
	set -- $(added "$1")
	[ "$1" -ge "$CAP" ] && [ "$2" -ge "$CAP" ]
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

t_both_pools_fill_from_a_kme_with_a_zero_count_400_for_empty_and_html_errors() {
	local CAP=48 n400 quiet
	# Two keys a second (512 bit/s) into an empty store of at most 96
	# keys (the status's max_key_count): the 96 keys that fill both pools
	# are there 48 s after kmesim starts, and until then qkdd finds the
	# store short, again and again as the backoff doubles (requests take
	# seconds under TCG, where every reply's new connection is a TLS
	# handshake: the 96 leave room for a few of them).
	kmesim_up --rate 512 --max-keys 96 --quirk stored-count-pending \
		--quirk empty-400 --quirk html-errors --quirk connection-close
	confs_xfrm "low-water = 40" "rekey-time = 2" "max-key-age = 60"
	start_b
	start_a
	run wait_until 150 filled gw-a
	in_step_settled
	run wait_ready gw-a
	run wait_ready gw-b
	# About 45 s of pings across rekeys every 2 s on both sides.
	run on lan-a ping -q -i 0.01 -l 3 -c 4400 -W 5 203.0.113.10 || true
	grep 'KME\|refilled' a.log b.log
	no_loss
	in_step_settled
	echo "keys: gw-a added out $(pool gw-a out added) in $(pool gw-a in added)," \
		"used out $(pool gw-a out used) in $(pool gw-a in used)"
	[ "$(pool gw-a out used)" -ge 15 ]
	[ "$(pool gw-b out used)" -ge 15 ]
	[ "$(pool gw-a out discarded-flush)$(pool gw-a in discarded-flush)" = 00 ]
	[ "$(pool gw-b out discarded-flush)$(pool gw-b in discarded-flush)" = 00 ]
	# Each way the KME bends the standard, logged once.
	once a.log 'link dc1: KME: stored_key_count said 0, yet enc_keys gave [0-9]* keys at once: qkdd takes stored_key_count as a hint'
	once a.log 'link dc1: KME: answers an empty store with HTTP 400, not 503 ("400 Bad Request Not enough key material available. Please try again later.")'
	once a.log 'link dc1: KME: sends error replies as HTML pages, not the ETSI Error object'
	once a.log 'link dc1: KME: closes the connection after every reply (Connection: close)'
	once b.log 'link dc1: KME: closes the connection after every reply (Connection: close)'
	# The empty store, once an episode and not at every try: the KME
	# refused more requests than qkdd logged.
	n400=$(grep -c 'enc_keys sae=sae-a 400 Not enough key material' kmesim.log || true)
	quiet=$(grep -c 'link dc1: KME has no keys for us now (enc_keys: HTTP 400 "400 Bad Request Not enough key material available. Please try again later.")' a.log || true)
	echo "KME refusals as empty: $n400, logged: $quiet"
	[ "$quiet" -ge 1 ]
	[ "$n400" -gt "$quiet" ]
	grep 'KME has no keys for us now' b.log && fail "the slave logged an empty KME"
	no_secrets a.log
	no_secrets b.log
}

t_a_kme_giving_fewer_keys_than_asked_fills_the_pools_with_what_it_gives() {
	local CAP=8
	kmesim_up --quirk ignores-number
	confs
	start_b
	start_a
	run wait_until 90 full $CAP
	in_step
	grep 'KME\|refilled' a.log
	# One key a batch: sixteen batches, the first logged.
	once a.log 'link dc1: KME: gave only 1 of the 16 keys asked for: qkdd takes what it gives'
	[ "$(grep -c 'refilled out +[01] in +[01] (batch' a.log)" = 16 ]
	! grep -q 'KME: closes the connection' a.log b.log
}

qkdnet_certs || { echo "not ok 1 mkcerts"; exit 1; }
tap_one "$@"

# Minutes of traffic that measure loss, not memory (as in tests/qkdd.sh).
if [ "${QKD_DEBUG_KERNEL:-0}" != 1 ]; then
	tap_test "qkdd fills both pools from a KME that reports stored_key_count 0 at rest, answers an empty store with 400 and sends HTML error bodies, with traffic passing and nothing lost" t_both_pools_fill_from_a_kme_with_a_zero_count_400_for_empty_and_html_errors
fi
tap_test "a KME giving fewer keys than asked fills the pools with what it gives" t_a_kme_giving_fewer_keys_than_asked_fills_the_pools_with_what_it_gives
tap_done
