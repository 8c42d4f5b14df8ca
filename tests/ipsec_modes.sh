#!/bin/bash
# IPsec keyed by the module in every supported shape, and what a link does
# when its pool runs dry. Two gateways and two LAN hosts (tests/topo.sh);
# runs in the test VM with qkd.ko loaded.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"

# bind GW LOCAL PEER MINE THEIRS: GW's policies for traffic between the
# selectors MINE and THEIRS, for $mode, bound to reqid 42 or, for $binding
# xfrmi, to the xfrm interface ipsec0 with if-id 7 (the route to THEIRS
# then goes through it).
bind() {
	local gw=$1 me=$2 peer=$3 mine=$4 theirs=$5 sel= tmpl="reqid 42"
	if [ "$binding" = xfrmi ]; then
		sel="if_id 7" tmpl=
		ip -n "$(ns "$gw")" -batch - <<-EOF
			link add ipsec0 type xfrm dev wire if_id 7
			link set ipsec0 up
			route replace $theirs dev ipsec0 src $me
		EOF
	fi
	{
		echo "xfrm policy add src $mine dst $theirs dir out $sel tmpl src $me dst $peer proto esp $tmpl mode $mode"
		echo "xfrm policy add src $theirs dst $mine dir in $sel tmpl src $peer dst $me proto esp $tmpl mode $mode"
		[ "$mode" != tunnel ] ||
			echo "xfrm policy add src $theirs dst $mine dir fwd $sel tmpl src $peer dst $me proto esp $tmpl mode $mode"
	} | ip -n "$(ns "$gw")" -batch -
}

# MATRIX="CIPHER MODE FAMILY BINDING", set by the caller of tap_test:
# both gateways get link dc1 in that shape and the same keys; tunnel mode
# carries lan-a's pings to lan-b, transport mode gw-a's pings to gw-b.
t_matrix_combination_carries_traffic() {
	local cipher mode family binding a b lan_a lan_b host_b bindto link
	read -r cipher mode family binding <<<"$MATRIX"
	trap topo_down EXIT
	topo_up
	if [ "$family" = ipv4 ]; then
		a=192.0.2.1 b=192.0.2.2 host_b=203.0.113.10
		lan_a=198.51.100.0/24 lan_b=203.0.113.0/24
	else
		a=2001:db8::1 b=2001:db8::2 host_b=2001:db8:b::10
		lan_a=2001:db8:a::/64 lan_b=2001:db8:b::/64
	fi
	if [ "$mode" = tunnel ]; then
		run bind gw-a $a $b $lan_a $lan_b
		run bind gw-b $b $a $lan_b $lan_a
	else
		run bind gw-a $a $b $a $b
		run bind gw-b $b $a $b $a
	fi
	bindto="reqid 42"
	[ "$binding" != xfrmi ] || bindto="if-id 7"
	link="cipher $cipher mode $mode $bindto"
	run on gw-a qkdctl link add dc1 local-sae gw-a peer-sae gw-b \
		local-addr $a peer-addr $b $link
	run on gw-b qkdctl link add dc1 local-sae gw-b peer-sae gw-a \
		local-addr $b peer-addr $a $link
	feed 1 4
	run wait_ready gw-a
	run wait_ready gw-b
	if [ "$mode" = tunnel ]; then
		run on lan-a ping -c 3 -i 0.1 -W 2 $host_b
	else
		run on gw-a ping -c 3 -i 0.1 -W 2 $b
	fi
	# The pings went through the module's SAs, with the link's cipher:
	# each gateway's out SA and one of its in SAs carried all three.
	local gw
	for gw in gw-a gw-b; do
		on $gw qkdctl -j sa show dc1 >sas.json
		jq -e '[.[] | select(.dir == "out" and .packets >= 3)] | length == 1' sas.json ||
			fail "$gw: no out SA carried the pings: $(cat sas.json)"
		jq -e '[.[] | select(.dir == "in" and .packets >= 3)] | length == 1' sas.json ||
			fail "$gw: no in SA carried the pings: $(cat sas.json)"
	done
	local alg
	case "$cipher" in
	chacha20-poly1305) alg='rfc7539esp(chacha20,poly1305)' ;;
	*) alg='rfc4106(gcm(aes))' ;;
	esac
	# Every SA of gw-a's (one out, the in window and the in SA in use).
	on gw-a ip xfrm state >states.txt
	local n
	n=$(grep -c '^src' states.txt)
	[ "$n" -ge 3 ] || { cat states.txt; fail "only $n SAs"; }
	[ "$(grep -cF "aead $alg " states.txt)" = "$n" ] || { cat states.txt; fail "not all $alg"; }
	[ "$(grep -c "mode $mode\$" states.txt)" = "$n" ] || { cat states.txt; fail "not all $mode mode"; }
}

# dry_link ON-EMPTY: gateways whose link rekeys every 2 s and may use a key
# for 8 s, with one out key on gw-a (and two in keys, for the window);
# gw-b gets the same keys, directions swapped. qkdctl monitor on gw-a
# writes its events to events.txt.
dry_link() {
	gateways rekey-time 2 max-key-age 8 on-empty "$1"
	qkd_keys 1 2 | awk '!/^out/ || ++n == 1' >keys.txt
	on gw-a qkdctl key load dc1 file keys.txt
	swap_dirs <keys.txt | on gw-b qkdctl key load dc1
	run wait_until 30 out_sa gw-a active
	on gw-a qkdctl monitor >events.txt 2>monitor.err &
	monitor_pid=$!
	wait_until 20 grep -qx monitoring monitor.err
}

# out_sa GW STATE: GW's link has an out SA in STATE, or with STATE "none",
# no out SA but those retiring.
out_sa() {
	on "$1" qkdctl -j sa show dc1 | jq -e --arg s "$2" '
		[.[] | select(.dir == "out" and .state != "retiring")] |
		if $s == "none" then length == 0
		else length == 1 and .[0].state == $s end' >/dev/null
}

pings() {
	on lan-a ping -c "$1" -i 0.2 -W 1 203.0.113.10
}

# The refill that ends a dry spell: the next keys of the stream.
refill() {
	qkd_keys 10 4 >more.txt
	on gw-a qkdctl key load dc1 file more.txt
	swap_dirs <more.txt | on gw-b qkdctl key load dc1
}

t_hold_keeps_the_sa_until_max_key_age_then_stops_until_keys_come() {
	trap topo_down EXIT
	dry_link hold
	run pings 1
	# Past its rekey time with no out key left: the SA is held, and says so.
	run wait_until 20 grep -q '^holding dc1 dir out spi' events.txt
	run out_sa gw-a holding
	run pings 3
	# At max-key-age (counted from its first packet) the SA goes, and with
	# it the traffic: nothing falls back to an old or weaker key.
	run wait_until 30 out_sa gw-a none
	expect_status 1 pings 2
	run refill
	run wait_until 30 out_sa gw-a active
	run pings 3
	kill $monitor_pid
	cat events.txt
}

t_block_stops_traffic_at_the_rekey_point_until_keys_come() {
	trap topo_down EXIT
	dry_link block
	run pings 1
	run wait_until 20 grep -q '^blocked dc1 dir out spi' events.txt
	run out_sa gw-a none
	expect_status 1 pings 2
	grep -q '^holding' events.txt && fail "block held the SA"
	run refill
	run wait_until 30 out_sa gw-a active
	run pings 3
	kill $monitor_pid
	cat events.txt
}

# On the debug kernel (about four times slower) three combinations that
# together take every value of every dimension stand in for the matrix: the
# module's code is the same for all, the kernel's checks are what that run
# is for.
debug_sample() {
	case "$1" in
	"aes-gcm-256 tunnel ipv4 reqid" | "aes-gcm-128 transport ipv6 reqid" | \
		"chacha20-poly1305 tunnel ipv6 xfrmi") return 0 ;;
	esac
	return 1
}

tap_one "$@"
# Every test has namespaces of its own (TOPO): two at once.
TAP_JOBS=2
# Transport mode goes with policies only. Through an xfrm interface it
# cannot reach the peer on 6.1: an xfrm bundle in transport mode keeps the
# route the packet came with, which points back into the interface, and
# xfrmi drops it ("Local routing loop detected", counted as collisions).
for cipher in aes-gcm-256 aes-gcm-128 chacha20-poly1305; do
	for mode in tunnel transport; do
		for family in ipv4 ipv6; do
			for binding in reqid xfrmi; do
				[ "$mode/$binding" != transport/xfrmi ] || continue
				[ "${QKD_DEBUG_KERNEL:-0}" != 1 ] ||
					debug_sample "$cipher $mode $family $binding" || continue
				tap_test "ipsec: $cipher, $mode mode, $family, bound by $binding, carries traffic" \
					t_matrix_combination_carries_traffic "MATRIX=$cipher $mode $family $binding"
			done
		done
	done
done
tap_test "ipsec: on-empty hold keeps the SA until max-key-age, then traffic stops until keys come" \
	t_hold_keeps_the_sa_until_max_key_age_then_stops_until_keys_come
tap_test "ipsec: on-empty block stops traffic at the rekey point until keys come" \
	t_block_stops_traffic_at_the_rekey_point_until_keys_come
tap_done
