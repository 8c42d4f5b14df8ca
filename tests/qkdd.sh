#!/bin/bash
# qkdd, the helper daemon, between two gateways: the master qkdd in gw-a
# and the slave in gw-b each keep link dc1 filled from kmesim (KME A for
# sae-a, KME B for sae-b, both listening on gw-a's wire address), in step:
# the same key IDs in the same order, directions swapped. A KME answer that
# is wrong in any way is logged and nothing of it is pushed. Runs in the
# test VM with qkd.ko loaded; each test builds its namespaces afresh:
#
#   gw-a: qkdd (master), kmesim ========== gw-b: qkdd (slave)
#         192.0.2.1 (wire)                       192.0.2.2 (wire)
#
# The certificates come from tools/kmesim/mkcerts, made on the host by
# "make tests" into build/certs (in the VM it takes most of a minute); the
# script makes its own when they are missing or about to expire.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"

TOP=$(realpath "$(dirname "$0")/..")
KMESIM=${KMESIM:-$TOP/build/bin/kmesim}
QKDD=${QKDD:-$TOP/build/bin/qkdd}
MKCERTS=$TOP/tools/kmesim/mkcerts
CAP=100

wire_up() {
	local n
	for n in gw-a gw-b; do
		ip netns add "$(ns $n)"
		on $n ip link set lo up
	done
	ip link add wire netns "$(ns gw-a)" type veth peer name wire netns "$(ns gw-b)"
	on gw-a ip addr add 192.0.2.1/24 dev wire
	on gw-b ip addr add 192.0.2.2/24 dev wire
	on gw-a ip link set wire up
	on gw-b ip link set wire up
}

wire_down() {
	ip netns del "$(ns gw-a)" 2>/dev/null
	ip netns del "$(ns gw-b)" 2>/dev/null
	true
}

cleanup() {
	local rc=$? p
	set +e
	for p in ${QKDD_A:-} ${QKDD_B:-} ${KMESIM_PID:-}; do
		kill -TERM "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	if [ "$rc" != 0 ]; then
		for f in a.log b.log kmesim.log; do
			[ -f $f ] && { echo "--- $f"; cat $f; }
		done
	fi
	wire_down
}

# kmesim_up [KMESIM-OPTION]...: the namespaces and kmesim in gw-a; sets A, B.
kmesim_up() {
	trap cleanup EXIT
	wire_up
	echo "+ kmesim $*" >&9
	# Not through on(), a function: $! must be the daemon's own pid.
	ip netns exec "$(ns gw-a)" "$KMESIM" --ca "$CERTS/ca.pem" --cert-a "$CERTS/kme-a.pem" \
		--key-a "$CERTS/kme-a.key" --cert-b "$CERTS/kme-b.pem" \
		--key-b "$CERTS/kme-b.key" --listen-a 192.0.2.1:0 \
		--listen-b 192.0.2.1:0 --unthrottled --port-file port "$@" \
		>/dev/null 2>kmesim.log &
	KMESIM_PID=$!
	wait_until 20 test -s port
	read -r _ a b <port
	A=${a#a=}
	B=${b#b=}
}

# confs [LINK-LINE]...: a.conf (master, gw-a) and b.conf (slave, gw-b);
# each LINK-LINE goes into both [link dc1] sections.
confs() {
	local extra
	extra=$(printf '%s\n' "$@")
	cat >a.conf <<EOF
[qkdd]
cert = $CERTS/qkdd-a.pem
key = $CERTS/qkdd-a.key
ca = $CERTS/ca.pem

[link dc1]
role = master
sae = sae-a
peer-sae = sae-b
peer = 192.0.2.2:7000
peer-name = qkdd-b
kme = https://$A
kme-cert = $CERTS/sae-a.pem
kme-key = $CERTS/sae-a.key
kme-ca = $CERTS/ca.pem
capacity = $CAP
$extra
EOF
	cat >b.conf <<EOF
[qkdd]
listen = 192.0.2.2:7000
cert = $CERTS/qkdd-b.pem
key = $CERTS/qkdd-b.key
ca = $CERTS/ca.pem

[link dc1]
role = slave
sae = sae-b
peer-sae = sae-a
peer-name = qkdd-a
kme = https://$B
kme-cert = $CERTS/sae-b.pem
kme-key = $CERTS/sae-b.key
kme-ca = $CERTS/ca.pem
capacity = $CAP
$extra
EOF
	run "$QKDD" -c a.conf --check-config
	run "$QKDD" -c b.conf --check-config
}

start_a() {
	echo "+ on gw-a qkdd -c a.conf" >&9
	ip netns exec "$(ns gw-a)" "$QKDD" -c a.conf 2>>a.log &
	QKDD_A=$!
}

start_b() {
	echo "+ on gw-b qkdd -c b.conf" >&9
	ip netns exec "$(ns gw-b)" "$QKDD" -c b.conf 2>>b.log &
	QKDD_B=$!
}

# full N: both gateways hold N keys in each direction (qkdctl's text, no
# jq: the VM runs without KVM, and every process counts in a polling loop).
full() {
	on gw-a qkdctl link show dc1 | grep -q "pool out $1/[0-9]* in $1/" &&
		on gw-b qkdctl link show dc1 | grep -q "pool out $1/[0-9]* in $1/"
}

# added GW: "OUT IN", the keys dc1's pools ever took in.
added() {
	on "$1" qkdctl -j link show dc1 | jq -r '.[0].pool | "\(.out.added) \(.in.added)"'
}

# in_step: what gw-a added as out, gw-b added as in, and the other way.
in_step() {
	local a b
	a=$(added gw-a)
	b=$(added gw-b)
	echo "added (out in): gw-a $a, gw-b $b"
	[ "$a" = "${b#* } ${b% *}" ]
}

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

# The SA key IDs of GW's link dc1 in DIR, in pool order: "KEY-ID SPI" lines.
sa_keys() {
	on "$1" qkdctl -j sa show dc1 |
		jq -r "[.[] | select(.dir == \"$2\")] | sort_by(.[\"key-index\"]) |
			.[] | \"\\(.[\"key-index\"]) \\(.[\"key-id\"]) \\(.spi)\""
}

# newest_out_is GW N: GW's newest out SA has the key of index N.
newest_out_is() {
	[ "$(sa_keys "$1" out | tail -n 1 | cut -d' ' -f1)" = "$2" ]
}

t_sas_on_both_sides_use_the_same_keys_in_order() {
	kmesim_up
	confs "local-addr = 192.0.2.1" "peer-addr = 192.0.2.2" "reqid = 42"
	sed -i 's/^local-addr = .*/local-addr = 192.0.2.2/; s/^peer-addr = .*/peer-addr = 192.0.2.1/' b.conf
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

t_a_restarted_slave_makes_both_flush_and_refill() {
	kmesim_up
	confs
	start_b
	start_a
	wait_until 60 full $CAP
	run kill -KILL "$QKDD_B"
	wait "$QKDD_B" || true
	start_b
	wait_until 60 grep -q 'flushed both pools' a.log
	wait_until 60 added_is gw-b "$((2 * CAP)) $((2 * CAP))"
	wait_until 60 full $CAP
	in_step
	grep 'flushed' a.log b.log
	grep -q "pools may be out of step\|last batch is" b.log
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

tap_one "$@"

CERTS=${BUILD:-$TOP/build}/certs
if ! openssl x509 -noout -checkend 86400 -in "$CERTS/qkdd-b.pem" >/dev/null 2>&1; then
	CERTS=$(mktemp -d)
	trap 'rm -rf "$CERTS"' EXIT
	"$MKCERTS" "$CERTS" >/dev/null || { echo "not ok 1 mkcerts"; exit 1; }
fi
export CERTS

tap_test "both gateways fill with the same keys and stop on SIGTERM" t_both_gateways_fill_with_the_same_keys_and_stop_on_sigterm
tap_test "SAs on both sides use the same keys in order" t_sas_on_both_sides_use_the_same_keys_in_order
tap_test "a flush on both sides brings a refill" t_a_flush_on_both_sides_brings_a_refill
tap_test "a restarted slave makes both flush and refill" t_a_restarted_slave_makes_both_flush_and_refill
tap_test "malformed JSON from the KME is logged and nothing pushed" t_malformed_json_from_the_kme_is_logged_and_nothing_pushed
tap_test "a wrong key size from the KME is logged and nothing pushed" t_a_wrong_key_size_from_the_kme_is_logged_and_nothing_pushed
tap_test "a duplicate key ID from the KME is logged and nothing pushed" t_a_duplicate_key_id_from_the_kme_is_logged_and_nothing_pushed
tap_test "a bad dec_keys answer makes the slave refuse the batch" t_a_bad_dec_keys_answer_makes_the_slave_refuse_the_batch
tap_test "a KME certificate that does not verify is logged" t_a_kme_certificate_that_does_not_verify_is_logged
tap_test "a peer with the wrong name is refused" t_a_peer_with_the_wrong_name_is_refused
tap_test "check-config is silent on a good file and names a bad line" t_check_config_is_silent_on_a_good_file_and_names_a_bad_line
tap_done
