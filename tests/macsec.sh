#!/bin/bash
# MACsec keyed from the QKD pools (#14): two gateways joined by a veth pair
# ("wire") with MACsec on top, a LAN host behind each (tests/topo.sh):
#
#   lan-a ---- gw-a [macsec0 on wire] ====== [macsec0 on wire] gw-b ---- lan-b
#                  192.0.2.1                         192.0.2.2
#
# The gateways' addresses move from wire to macsec0, so routed traffic
# between the LANs leaves only through MACsec. The SAs are programmed by
# qkdd's MACsec code (build/tests/qkdd_macsec_up, one SA pair each way)
# from keys taken from an export link; qkdd's own loop does not drive
# MACsec yet. Runs in the test VM with qkd.ko loaded.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"

MACSEC_UP=${MACSEC_UP:-$(dirname "$(realpath "$0")")/../build/tests/qkdd_macsec_up}

# wire_to_macsec GW ADDR PEER-LAN VIA: GW's wire carries nothing of its own
# (no address, no IPv6 link-local chatter); ADDR goes on macsec0 later.
wire_bare() {
	on "$1" sysctl -qw net.ipv6.conf.wire.disable_ipv6=1
	ip -n "$(ns "$1")" -batch - <<-EOF
		addr flush dev wire
	EOF
}

# sci GW: the SCI of GW's SC, its wire's MAC address then port 1.
sci() {
	echo "$(on "$1" cat /sys/class/net/wire/address | tr -d :)0001"
}

# conf GW SAE PEER-SAE PEER-GW CIPHER: a qkdd configuration for link dc1
# with its [macsec dc1] on wire.
conf() {
	cat <<-EOF
		[qkdd]
		cert = /dev/null
		key = /dev/null
		ca = /dev/null
		listen = 127.0.0.1:7000
		[link dc1]
		role = slave
		sae = $2
		peer-sae = $3
		kme = https://127.0.0.1:8443
		kme-cert = /dev/null
		kme-key = /dev/null
		kme-ca = /dev/null
		consumer = export
		[macsec dc1]
		interface = macsec0
		lower = wire
		peer-sci = $(sci "$4")
		cipher = $5
	EOF
}

# macsec_gateways CIPHER: both gateways' MACsec up on AN 0 each way, the
# LANs routed through macsec0.
macsec_gateways() {
	topo_up
	wire_bare gw-a
	wire_bare gw-b
	run on gw-a qkdctl link add dc1 local-sae gw-a peer-sae gw-b consumer export
	run on gw-b qkdctl link add dc1 local-sae gw-b peer-sae gw-a consumer export
	feed 1 2
	conf gw-a gw-a gw-b gw-b "$1" >a.conf
	conf gw-b gw-b gw-a gw-a "$1" >b.conf
	run on gw-a "$MACSEC_UP" a.conf >a.sas
	run on gw-b "$MACSEC_UP" b.conf >b.sas
	cat a.sas b.sas
	ip -n "$(ns gw-a)" -batch - <<-EOF
		addr add 192.0.2.1/24 dev macsec0
		link set macsec0 up
		route add 203.0.113.0/24 via 192.0.2.2
	EOF
	ip -n "$(ns gw-b)" -batch - <<-EOF
		addr add 192.0.2.2/24 dev macsec0
		link set macsec0 up
		route add 198.51.100.0/24 via 192.0.2.1
	EOF
}

t_lans_reach_each_other_only_as_macsec() {
	trap topo_down EXIT
	macsec_gateways gcm-aes-256
	run capture gw-a a.pcap ''
	local a=$capture_pid
	run capture gw-b b.pcap ''
	local b=$capture_pid
	run on lan-a ping -c 20 -i 0.05 -W 2 203.0.113.10
	kill $a $b
	wait $a $b || true
	# One line a frame: tcpdump dumps the frames of an EtherType it cannot
	# read on, in hex, on indented lines of their own.
	{ tcpdump -e -n -r a.pcap; tcpdump -e -n -r b.pcap; } 2>/dev/null |
		grep -v '^[[:space:]]' >wire.txt
	head -n 4 wire.txt
	grep -v 'ethertype .*(0x88e5)' wire.txt && fail "frames other than MACsec on the wire"
	# At least the 20 pings and their 20 answers crossed, as MACsec.
	[ "$(wc -l <wire.txt)" -ge 40 ] || fail "only $(wc -l <wire.txt) frames on the wire"
	# No payload in clear: the pings' pattern is nowhere in the frames.
	{ tcpdump -x -r a.pcap; tcpdump -x -r b.pcap; } 2>/dev/null |
		grep -q '1011 1213 1415 1617' && fail "ICMP payload in clear on the wire"
	true
}

t_sa_keyids_are_the_qkd_key_ids_taken_once() {
	trap topo_down EXIT
	macsec_gateways gcm-aes-xpn-256
	# gw-a sends with the first out key (7a...01), which gw-b receives.
	grep -qx 'macsec0 tx an 0 keyid 7a000000000040008000000000000001 encoding 0' a.sas
	grep -qx 'macsec0 rx an 0 keyid 7b000000000040008000000000000001' a.sas
	grep -qx 'macsec0 tx an 0 keyid 7b000000000040008000000000000001 encoding 0' b.sas
	grep -qx 'macsec0 rx an 0 keyid 7a000000000040008000000000000001' b.sas
	run on gw-a ip macsec show macsec0
	on gw-a ip macsec show macsec0 | grep -q 7a000000000040008000000000000001
	# The module counts each key MACsec took once, as exported.
	on gw-a qkdctl -j link show dc1 | jq -e '.[0].pool.out.exported == 1 and
		.[0].pool.in.exported == 1 and .[0].pool.out.keys == 1 and
		.[0].pool.in.keys == 1' >/dev/null || { on gw-a qkdctl -j link show dc1; false; }
	run on lan-a ping -c 3 -i 0.1 -W 2 203.0.113.10
}

tap_one "$@"
tap_test "macsec: traffic between the LANs crosses the wire only as MACsec (EtherType 0x88E5)" \
	t_lans_reach_each_other_only_as_macsec
tap_test "macsec: each SA's KEYID is its QKD key ID, the keys counted once as exported" \
	t_sa_keyids_are_the_qkd_key_ids_taken_once
tap_done
