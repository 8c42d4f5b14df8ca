# Two gateways keyed by qkdd from a KME pair, for the qkdd tests and the
# demo: the topology of tests/topo.sh, kmesim in gw-a (KME A for sae-a, KME
# B for sae-b, both listening on gw-a's wire address), the master qkdd in
# gw-a and the slave in gw-b, each feeding link dc1 of its own module:
#
#   lan-a --- gw-a: qkdd (master), kmesim ==== gw-b: qkdd (slave) --- lan-b
#             192.0.2.1 (wire)                 192.0.2.2 (wire)
#
# Source after topo.sh. The certificates come from tools/kmesim/mkcerts
# into $CERTS ("make tests" and "make demo" make them on the host, where it
# is much faster than in the VM). Every file (configurations, logs, the
# KME's port file) goes into the current directory.

QKDNET_TOP=$(realpath "$(dirname "${BASH_SOURCE[0]}")/..")
KMESIM=${KMESIM:-$QKDNET_TOP/build/bin/kmesim}
QKDD=${QKDD:-$QKDNET_TOP/build/bin/qkdd}
QKDD_AS=()
MKCERTS=$QKDNET_TOP/tools/kmesim/mkcerts

# qkdnet_certs: sets CERTS to usable certificates, made afresh in a
# temporary folder when the build's are missing or about to expire.
qkdnet_certs() {
	CERTS=${BUILD:-$QKDNET_TOP/build}/certs
	if ! openssl x509 -noout -checkend 86400 -in "$CERTS/qkdd-b.pem" >/dev/null 2>&1; then
		CERTS=$(mktemp -d)
		"$MKCERTS" "$CERTS" >/dev/null || return 1
	fi
	export CERTS
}

# qkdnet_down: stops the daemons (SIGTERM, then waits) and removes the
# namespaces.
qkdnet_down() {
	local p
	for p in ${QKDD_A:-} ${QKDD_B:-} ${KMESIM_PID:-} ${SA_MONITORS:-}; do
		kill -TERM "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	QKDD_A= QKDD_B= KMESIM_PID= SA_MONITORS=
	topo_down
}

# qkdnet_down_showing_logs: qkdnet_down, and when the test failed (the
# exit status it runs with) the daemons' logs, for the TAP output.
qkdnet_down_showing_logs() {
	local rc=$? f
	set +e
	qkdnet_down
	if [ "$rc" != 0 ]; then
		for f in a.log b.log kmesim.log; do
			[ -f $f ] && { echo "--- $f"; cat $f; }
		done
	fi
}

# kmesim_up [KMESIM-OPTION]...: the namespaces, and kmesim in gw-a; sets
# A and B, the two KMEs' HOST:PORT. Unthrottled unless an option says
# otherwise (--rate). On exit, $QKDNET_CLEANUP (default qkdnet_down) runs.
kmesim_up() {
	local rate=--unthrottled
	case " $* " in *" --rate "*) rate= ;; esac
	trap "${QKDNET_CLEANUP:-qkdnet_down}" EXIT
	topo_up
	echo "+ kmesim $*" >&9
	# Not through on(), a function: $! must be the daemon's own pid.
	ip netns exec "$(ns gw-a)" "$KMESIM" --ca "$CERTS/ca.pem" --cert-a "$CERTS/kme-a.pem" \
		--key-a "$CERTS/kme-a.key" --cert-b "$CERTS/kme-b.pem" \
		--key-b "$CERTS/kme-b.key" --listen-a 192.0.2.1:0 \
		--listen-b 192.0.2.1:0 $rate --port-file port "$@" \
		>/dev/null 2>kmesim.log &
	KMESIM_PID=$!
	wait_until 20 test -s port
	read -r _ a b <port
	A=${a#a=}
	B=${b#b=}
}

# confs [LINK-LINE]...: a.conf (master, gw-a) and b.conf (slave, gw-b);
# each LINK-LINE goes into both [link dc1] sections. CAP is the capacity.
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

# confs_xfrm [LINK-LINE]...: as confs, and link dc1 keys the tunnel between
# the LANs on both gateways (reqid 42, the policies of tests/topo.sh).
confs_xfrm() {
	# Under TCG a CPU busy elsewhere lets the default backlog of 1000
	# packets a CPU overflow, and drops there are none of the module's.
	sysctl -qw net.core.netdev_max_backlog=100000
	confs "$@"
	printf 'local-addr = 192.0.2.1\npeer-addr = 192.0.2.2\nreqid = 42\n' >>a.conf
	printf 'local-addr = 192.0.2.2\npeer-addr = 192.0.2.1\nreqid = 42\n' >>b.conf
	run "$QKDD" -c a.conf --check-config
	run "$QKDD" -c b.conf --check-config
	policies gw-a 192.0.2.1 192.0.2.2 198.51.100.0/24 203.0.113.0/24 42
	policies gw-b 192.0.2.2 192.0.2.1 203.0.113.0/24 198.51.100.0/24 42
}

# unprivileged UID: the daemons started from now on run as UID, with no
# group and only the capabilities the README gives qkdd (CAP_NET_ADMIN for
# the module, CAP_IPC_LOCK for mlockall), from certificates that UID owns.
# Call after confs.
unprivileged() {
	QKDD_AS=(setpriv --reuid="$1" --regid="$1" --clear-groups
		--inh-caps=-all,+net_admin,+ipc_lock
		--ambient-caps=-all,+net_admin,+ipc_lock
		--bounding-set=-all,+net_admin,+ipc_lock --)
	mkdir -m 700 certs
	cp "$CERTS"/*.pem "$CERTS"/*.key certs/
	chown -R "$1:$1" certs
	chmod 755 .
	sed -i "s|$CERTS/|$PWD/certs/|" a.conf b.conf
	chmod 644 a.conf b.conf
}

# caps_are GW UID: GW's qkdd runs as UID with only those capabilities.
caps_are() {
	local var=QKDD_${1#gw-} st
	var=${var^^}
	st=/proc/${!var}/status
	grep -Eq "^Uid:\s+$2\s+$2\s+$2\s+$2$" "$st" &&
		grep -Eq '^CapEff:\s+0*5000$' "$st" &&
		grep -Eq '^CapPrm:\s+0*5000$' "$st" ||
		{ grep -E '^(Uid|Cap)' "$st"; false; }
}

start_a() {
	echo "+ on gw-a ${QKDD_AS[*]} qkdd -c a.conf" >&9
	ip netns exec "$(ns gw-a)" "${QKDD_AS[@]}" "$QKDD" -c a.conf 2>>a.log &
	QKDD_A=$!
}

start_b() {
	echo "+ on gw-b ${QKDD_AS[*]} qkdd -c b.conf" >&9
	ip netns exec "$(ns gw-b)" "${QKDD_AS[@]}" "$QKDD" -c b.conf 2>>b.log &
	QKDD_B=$!
}

# kill9 GW: SIGKILL to GW's qkdd, and waits until it is gone.
kill9() {
	local var=QKDD_${1#gw-}
	var=${var^^}
	echo "+ kill -KILL qkdd of $1" >&9
	kill -KILL "${!var}"
	wait "${!var}" 2>/dev/null || true
	printf -v "$var" '%s' ''
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

# ledger GW: "BATCH STAGED-BATCH OUT-ADDED IN-ADDED OUT-UNCOMMITTED
# IN-UNCOMMITTED" of GW's link dc1: the newest batch its module committed,
# the one it stages (0: none) and what its pools took in and discarded.
ledger() {
	on "$1" qkdctl -j link show dc1 | jq -r '.[0] | [.batch, ."staged-batch",
		.pool.out.added, .pool.in.added, .pool.out."discarded-uncommitted",
		.pool.in."discarded-uncommitted"] | join(" ")'
}

# settled: LEDGER_A and LEDGER_B set to the two modules' ledgers at a moment
# when no batch was in flight: gw-a read before and after gw-b and
# unchanged between, and neither staging a batch. Then gw-a held no batch
# newer than the one both committed while gw-b was read, and the pools'
# counts are the keys of the same batches on both gateways. Returns 1
# when the moment was not such a one (try again).
settled() {
	local a
	a=$(ledger gw-a)
	LEDGER_B=$(ledger gw-b)
	LEDGER_A=$(ledger gw-a)
	set -- $LEDGER_A
	[ "$a" = "$LEDGER_A" ] && [ "$2" = 0 ] && set -- $LEDGER_B && [ "$2" = 0 ]
}

# sa_keys GW DIR: the SAs of GW's link dc1 in DIR, in key order:
# "KEY-INDEX KEY-ID SPI" lines.
sa_keys() {
	on "$1" qkdctl -j sa show dc1 |
		jq -r "[.[] | select(.dir == \"$2\")] | sort_by(.[\"key-index\"]) |
			.[] | \"\\(.[\"key-index\"]) \\(.[\"key-id\"]) \\(.spi)\""
}

# icmp NS COUNTER: NS's kernel count of COUNTER (nstat's name).
icmp() {
	on "$1" nstat -az "$2" | awk -v c="$2" '$1 == c { print $2 }'
}

# pings_lost: echo requests and replies lost between lan-a and lan-b, as
# the hosts' kernels count them (what ping itself counts also misses
# replies its socket dropped while TCG gave it no CPU: no network loss).
pings_lost() {
	echo $(($(icmp lan-a IcmpOutEchos) - $(icmp lan-b IcmpInEchos) +
		$(icmp lan-b IcmpOutEchoReps) - $(icmp lan-a IcmpInEchoReps)))
}

# esp_errors GW: ESP packets GW refused (no SA, failed integrity, replay),
# from the namespace's xfrm_stat.
esp_errors() {
	on "$1" awk '/XfrmInNoStates|XfrmInStateProtoError|XfrmInStateInvalid|XfrmInStateSeqError|XfrmInStateMismatch|XfrmInNoPols|XfrmOutNoStates|XfrmOutPolBlock/ { n += $2 } END { print n + 0 }' /proc/net/xfrm_stat
}

# sa_watch: every SA either gateway shows while it runs, one sample a
# second, into sas-a.txt and sas-b.txt ("DIR KEY-INDEX KEY-ID SPI" lines);
# its pid is in $watch_pid. And every SA event of the kernel's, until the
# test ends, into xfrm-a.txt and xfrm-b.txt (`ip xfrm monitor SA`): an in
# SA that lived between two samples (under load a sample takes more than
# a second, an in SA may live about two) is there.
sa_watch() {
	local gw
	for gw in gw-a gw-b; do
		ip -n "$(ns $gw)" xfrm monitor SA >"xfrm-${gw#gw-}.txt" &
		SA_MONITORS="${SA_MONITORS:-} $!"
	done
	(
		while :; do
			for gw in gw-a gw-b; do
				on $gw qkdctl -j sa show dc1 | jq -r '.[] |
					"\(.dir) \(.["key-index"]) \(.["key-id"]) \(.spi)"' \
					>>"sas-${gw#gw-}.txt"
			done
			sleep 1
		done
	) &
	watch_pid=$!
}

# mirrored FROM TO: every out SA gateway FROM showed has its mirror among
# the in SAs of TO: the same key (index and ID) and SPI in TO's samples,
# or, for an in SA no sample caught, its SPI among the SAs TO's kernel
# reported installing (the SPI is derived from the key and the direction,
# kmod/schedule.c: the same SPI is the same key). (Not the other way: TO's
# in SAs run ahead of FROM's out SAs.)
mirrored() {
	local out in missing spis unseen
	out=$(awk '$1 == "out" { print $2, $3, $4 }' "sas-${1#gw-}.txt" | sort -u)
	in=$(awk '$1 == "in" { print $2, $3, $4 }' "sas-${2#gw-}.txt" | sort -u)
	missing=$(comm -23 <(echo "$out") <(echo "$in"))
	spis=" $(grep -o 'spi 0x[0-9a-f]*' "xfrm-${2#gw-}.txt" 2>/dev/null |
		while read -r _ h; do echo $((h)); done | sort -u | tr '\n' ' ')"
	echo "$1 out SAs: $(echo "$out" | wc -l), $2 in SAs: $(echo "$in" | wc -l)" \
		"(SPIs in $2's SA events: $(($(echo $spis | wc -w))))"
	unseen=$(echo "$missing" | while read -r i id spi; do
		[ -z "$spi" ] || case "$spis" in *" $spi "*) ;; *) echo "$i $id $spi" ;; esac
	done)
	[ -z "$missing" ] || echo "$1 out SAs no sample of $2 caught, found in its kernel's SA events:" \
		"$(($(grep -c . <<<"$missing") - $(grep -c . <<<"$unseen")))"
	[ -z "$unseen" ] || echo "$1 out SAs with no mirror on $2 (index ID SPI): $unseen"
	[ -n "$out" ] && [ -z "$unseen" ]
}
