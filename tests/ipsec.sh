#!/bin/bash
# IPsec keyed by the module: two gateways and two LAN hosts (tests/topo.sh),
# SAs installed and rotated from the QKD pools. Runs in the test VM with
# qkd.ko loaded; each test builds the topology afresh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"

t_lans_reach_each_other_only_through_esp() {
	trap topo_down EXIT
	gateways
	feed 1 4
	# One out SA and two in SAs ahead on each side.
	run wait_ready gw-a
	run wait_ready gw-b
	run capture gw-a a.pcap 'not arp and not icmp6'
	local a=$capture_pid
	run capture gw-b b.pcap 'not arp and not icmp6'
	local b=$capture_pid
	run on lan-a ping -c 20 -i 0.05 -W 2 203.0.113.10
	kill $a $b
	wait $a $b || true
	{ tcpdump -n -r a.pcap; tcpdump -n -r b.pcap; } 2>/dev/null >wire.txt
	head -n 4 wire.txt
	grep -v ESP wire.txt && fail "something other than ESP on the wire"
	# Both directions carry the 20 pings as ESP.
	[ "$(grep -c '192.0.2.1 > 192.0.2.2: ESP' wire.txt)" = 20 ]
	[ "$(grep -c '192.0.2.2 > 192.0.2.1: ESP' wire.txt)" = 20 ]
}

t_no_key_material_in_xfrm_dumps() {
	trap topo_down EXIT
	gateways
	feed 1 4
	run wait_ready gw-a
	on gw-a ip xfrm state >states.txt
	cat states.txt
	[ "$(grep -c 'aead rfc4106(gcm(aes)) 0x0* 128' states.txt)" = 3 ] ||
		fail "ip xfrm state shows ESP keys"
}

t_the_peer_switches_and_the_window_slides() {
	trap topo_down EXIT
	gateways
	feed 1 6
	run wait_ready gw-a
	run wait_ready gw-b
	run on lan-a ping -c 3 -i 0.1 -W 2 203.0.113.10
	run on gw-b qkdctl link rekey dc1
	run on lan-a ping -c 3 -i 0.1 -W 2 203.0.113.10
	# gw-a saw the peer's second SA carry traffic: it is the active one,
	# a third key's SA is installed ahead, and the first in SA retires. A
	# retired SA is deleted 2 s later (kmod/sa.c, GRACE), which a slow VM
	# (the debug kernel, two tests at once) may take to get here: retiring
	# or gone.
	on gw-a qkdctl -j sa show dc1 >sas.json
	cat sas.json
	jq -e '[.[] | select(.dir == "in" and .state == "active") | ."key-index"] == [2]' sas.json
	jq -e '[.[] | select(.dir == "in" and .state == "pending")] | length == 2' sas.json
	jq -e '[.[] | select(.dir == "in" and ."key-index" == 1) | .state] |
		. == [] or . == ["retiring"]' sas.json
}

# icmp NS COUNTER: NS's kernel count of COUNTER (nstat's name).
icmp() {
	on "$1" nstat -az "$2" | awk -v c="$2" '$1 == c { print $2 }'
}

# sent_echos NS N: NS has sent N echo requests or more.
sent_echos() {
	[ "$(icmp "$1" IcmpOutEchos)" -ge "$2" ]
}

t_rekeys_under_load_lose_nothing() {
	trap topo_down EXIT
	# Under TCG the TCP transfer alone overflows the default backlog of
	# 1000 packets a CPU, and drops there are no rekey's doing.
	sysctl -qw net.core.netdev_max_backlog=100000
	gateways rekey-time 2 max-key-age 30
	feed 1 96
	run wait_ready gw-a
	run wait_ready gw-b
	head -c 4M /dev/urandom >data
	run listen lan-b 5001 received
	local server=$listen_pid
	run capture gw-a wire.pcap esp
	local dump=$capture_pid
	run capture gw-b wire-b.pcap esp
	local dump_b=$capture_pid
	on gw-a sh -c 'while sleep 0.2; do qkdctl -j sa show dc1 | jq length; done' >counts &
	local watch=$!
	# A count, not a deadline: at a deadline ping counts the echoes still
	# in flight as lost. One every 5 ms at most: 12100 take 60 s or more.
	on lan-a ping -q -i 0.005 -l 3 -c 12100 -W 5 203.0.113.10 >ping.txt &
	local pinger=$!
	run wait_until 10 sent_echos lan-a 10
	run on lan-a sh -c 'nc -N 203.0.113.10 5001 <data'
	wait $server
	cmp data received || fail "TCP data arrived damaged"
	wait $pinger || true
	kill $watch $dump $dump_b
	wait $dump $dump_b || true
	cat ping.txt
	# Lost means lost on the way: counted by the hosts' kernels (requests
	# sent by lan-a against those lan-b received, and replies back). ping's
	# own count also misses replies that its socket dropped while TCG gave
	# the ping process no CPU for a second or more; that is no loss of the
	# network's, and the raw socket's drop count shows it.
	local a_req b_req b_rep a_rep lost rate
	a_req=$(icmp lan-a IcmpOutEchos)
	b_req=$(icmp lan-b IcmpInEchos)
	b_rep=$(icmp lan-b IcmpOutEchoReps)
	a_rep=$(icmp lan-a IcmpInEchoReps)
	echo "echo requests: lan-a sent $a_req, lan-b got $b_req; replies: lan-b sent $b_rep, lan-a got $a_rep"
	lost=$((a_req - b_req + b_rep - a_rep))
	rate=$(awk -F'[ ,]+' '/packets transmitted/ { sub("ms", "", $(NF)); print int($1 * 1000 / $(NF)) }' ping.txt)
	echo "pings a second: $rate"
	echo "softnet drops per CPU: $(awk '{ print $2 }' /proc/net/softnet_stat | xargs)"
	on gw-a cat /proc/net/xfrm_stat | grep -vE '\s0$' | sed 's/^/gw-a: /' || true
	on gw-b cat /proc/net/xfrm_stat | grep -vE '\s0$' | sed 's/^/gw-b: /' || true
	if [ "$lost" != 0 ]; then
		# Where the packets went: each hop's drop counters.
		for n in lan-a gw-a gw-b lan-b; do
			echo "$n: $(on $n nstat -az 2>/dev/null | awk '$2 != 0 && /Drop|Discard|Err|Fail|Overflow|Prune|Echo|Unres/ { printf "%s=%s ", $1, $2 }')"
			on $n ip -s link | sed 's/^/  /'
			on $n ip -s neigh | sed 's/^/  /'
		done
		fail "$lost pings lost"
	fi
	[ "$a_req" -ge 12100 ] || fail "only $a_req pings sent"
	[ "$rate" -ge 100 ] || fail "only $rate pings a second"
	{ tcpdump -n -r wire.pcap; tcpdump -n -r wire-b.pcap; } 2>/dev/null |
		sed -nE 's/.* ([0-9.]+) > [0-9.]+: ESP\(spi=(0x[0-9a-f]+),.*/\1 \2/p' |
		sort -u >spis.txt
	local ab ba
	ab=$(grep -c '^192.0.2.1 ' spis.txt)
	ba=$(grep -c '^192.0.2.2 ' spis.txt)
	echo "distinct SPIs: a->b $ab, b->a $ba"
	[ "$ab" -ge 25 ] && [ "$ba" -ge 25 ] || fail "too few rekeys seen on the wire"
	# Out: one active, one retiring at most; in: the window, one active,
	# and those retiring within the grace period.
	sort -n counts | tail -n 1
	[ "$(sort -n counts | tail -n 1)" -le 8 ] || fail "too many SAs on one link"
}

t_deleting_the_link_removes_its_sas() {
	trap topo_down EXIT
	gateways
	feed 1 4
	run wait_ready gw-a
	[ "$(on gw-a ip xfrm state | grep -c '^src')" = 3 ]
	run on gw-a qkdctl link del dc1
	on gw-a ip xfrm state >left.txt
	cat left.txt
	[ ! -s left.txt ] || fail "SAs outlived their link"
}

# spis FILE WORD: the SPIs of FILE's `ip -o xfrm monitor` lines that start
# with WORD ("src": added, "Deleted": deleted), sorted, as hex.
spis() {
	awk -v w="$2" '$1 == w { for (i = 1; i < NF; i++) if ($i == "spi") print $(i + 1) }' "$1" | sort -u
}

# monitor_listens: adds and deletes a throw-away SA on gw-a; true once
# mon.txt shows a deletion of it.
monitor_listens() {
	on gw-a ip xfrm state add src 192.0.2.9 dst 192.0.2.8 proto esp spi 0x77 \
		mode tunnel aead 'rfc4106(gcm(aes))' 0x$(printf '%040x' 1) 128
	on gw-a ip xfrm state del src 192.0.2.9 dst 192.0.2.8 proto esp spi 0x77
	grep -q '^Deleted .*spi 0x00000077' mon.txt
}

t_xfrm_monitor_sees_every_sa_installed_and_deleted() {
	trap topo_down EXIT
	gateways
	on gw-a ip -o xfrm monitor SA >mon.txt &
	local mon=$!
	# The monitor listens once it shows a throw-away SA's deletion.
	wait_until 20 monitor_listens
	feed 1 6
	run wait_ready gw-a
	on gw-a qkdctl -j sa show dc1 | jq -r '.[].spi' >module.txt
	# A rekey retires the out SA, removed after its grace period.
	run on gw-a qkdctl link rekey dc1
	on gw-a qkdctl -j sa show dc1 | jq -r '.[].spi' >>module.txt
	wait_until 20 sh -c "! ip netns exec $(ns gw-a) qkdctl -j sa show dc1 | grep -q retiring"
	run on gw-a qkdctl link del dc1
	wait_until 20 sh -c '[ "$(grep -c ^Deleted mon.txt)" -ge 5 ]'
	kill $mon
	wait $mon || true
	cat mon.txt
	printf '0x%08x\n' $(sort -u module.txt) | sort -u >module-spis.txt
	spis mon.txt src | grep -v 0x00000077 >added.txt
	spis mon.txt Deleted | grep -v 0x00000077 >deleted.txt
	# Four SAs: the first out, two in ahead, and the rekey's out SA.
	[ "$(wc -l <module-spis.txt)" = 4 ]
	diff module-spis.txt added.txt
	diff module-spis.txt deleted.txt
}

# hkdf HEXKEY HEXSALT INFO LEN: HKDF-SHA256 with OpenSSL's command line,
# the README's key schedule done with a standard tool; prints hex.
hkdf() {
	openssl kdf -keylen "$4" -kdfopt digest:SHA256 -kdfopt hexkey:"$1" \
		-kdfopt hexsalt:"$2" -kdfopt info:"$3" HKDF | tr -d ':\n' |
		tr 'A-F' 'a-f'
}

# plain_sa NS SRC DST SENDER RECEIVER "ID-UUID HEXKEY": an SA from the raw
# QKD key, as a peer without the module would install it.
plain_sa() {
	local ns=$1 src=$2 dst=$3 sender=$4 receiver=$5 id key keymat spi
	read -r id key <<<"$6"
	id=$(echo "$id" | tr -d -)
	keymat=$(hkdf "$key" "$id" "quantumnet-v1|esp|aes-gcm-256|$sender|$receiver" 36)
	spi=$((16#$(hkdf "$key" "$id" "quantumnet-v1|spi|$sender|$receiver" 4)))
	[ $spi -ge 256 ] || spi=$((spi + 256))
	on "$ns" ip xfrm state add src "$src" dst "$dst" proto esp spi "$spi" \
		reqid 42 mode tunnel replay-window 128 flag esn \
		aead 'rfc4106(gcm(aes))' "0x$keymat" 128
}

t_a_plain_ip_xfrm_peer_interoperates() {
	trap topo_down EXIT
	topo_up
	policies gw-a 192.0.2.1 192.0.2.2 198.51.100.0/24 203.0.113.0/24 42
	policies gw-b 192.0.2.2 192.0.2.1 203.0.113.0/24 198.51.100.0/24 42
	on gw-a qkdctl link add dc1 local-sae gw-a peer-sae gw-b \
		local-addr 192.0.2.1 peer-addr 192.0.2.2 reqid 42
	qkd_keys 1 2 >keys.txt
	run on gw-a qkdctl key load dc1 file keys.txt
	run wait_ready gw-a
	# gw-b has no module: its SAs come from the first out and in keys.
	run plain_sa gw-b 192.0.2.1 192.0.2.2 gw-a gw-b "$(awk '/^out/ { print $2, $3; exit }' keys.txt)"
	run plain_sa gw-b 192.0.2.2 192.0.2.1 gw-b gw-a "$(awk '/^in/ { print $2, $3; exit }' keys.txt)"
	run on lan-a ping -c 5 -i 0.1 -W 2 203.0.113.10
}

tap_one "$@"
# Each test has namespaces of its own (TOPO): two at once, but for the one
# that measures loss, which runs alone.
TAP_JOBS=2
tap_test "ipsec: lan-a and lan-b reach each other, and the wire carries only ESP" t_lans_reach_each_other_only_through_esp
tap_test "ipsec: ip xfrm state never shows the ESP keys" t_no_key_material_in_xfrm_dumps
tap_test "ipsec: when the peer switches to its next SA, the inbound window slides" t_the_peer_switches_and_the_window_slides
tap_test "ipsec: deleting a link removes the SAs the module installed for it" t_deleting_the_link_removes_its_sas
tap_test "ipsec: ip xfrm monitor sees every SA the module installs and deletes" t_xfrm_monitor_sees_every_sa_installed_and_deleted
tap_test "ipsec: a peer keyed by plain ip xfrm from the README's schedule interoperates" t_a_plain_ip_xfrm_peer_interoperates
tap_run_queue
TAP_JOBS=1
# A figure of speed as much as of correctness (100 pings a second), which
# the debug kernel under TCG cannot reach: that run leaves it out.
if [ "${QKD_DEBUG_KERNEL:-0}" != 1 ]; then
	tap_test "ipsec: rekeys every 2 s for 60 s under pings and TCP lose nothing" t_rekeys_under_load_lose_nothing
fi
tap_done
