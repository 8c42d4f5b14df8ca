# Two gateways and two LAN hosts in four network namespaces, for the IPsec
# tests and the demo:
#
#   lan-a ---------- gw-a ==================== gw-b ---------- lan-b
#   198.51.100.10    .1 | 192.0.2.1    192.0.2.2 | 203.0.113.1  203.0.113.10
#   2001:db8:a::10  ::1 | 2001:db8::1  2001:db8::2 | 2001:db8:b::1 2001:db8:b::10
#
# The wire between the gateways (gw-a's and gw-b's "wire" interfaces) is
# where ESP must be, and nothing else. Namespace names carry a prefix
# ($TOPO, default qkd) so that runs never collide.

TOPO=${TOPO:-qkd}

ns() {
	echo "$TOPO-$1"
}

# on NS CMD...: runs CMD in namespace NS.
on() {
	local n=$1
	shift
	ip netns exec "$(ns "$n")" "$@"
}

topo_up() {
	local n
	for n in lan-a gw-a gw-b lan-b; do
		ip netns add "$(ns $n)"
		on $n ip link set lo up
	done
	ip link add lan type veth peer name lan-a netns "$(ns lan-a)"
	ip link set lan netns "$(ns gw-a)"
	ip link add wire type veth peer name wire netns "$(ns gw-b)"
	ip link set wire netns "$(ns gw-a)"
	ip link add lan type veth peer name lan-b netns "$(ns lan-b)"
	ip link set lan netns "$(ns gw-b)"

	on lan-a ip addr add 198.51.100.10/24 dev lan-a
	on lan-a ip addr add 2001:db8:a::10/64 dev lan-a nodad
	on gw-a ip addr add 198.51.100.1/24 dev lan
	on gw-a ip addr add 2001:db8:a::1/64 dev lan nodad
	on gw-a ip addr add 192.0.2.1/24 dev wire
	on gw-a ip addr add 2001:db8::1/64 dev wire nodad
	on gw-b ip addr add 192.0.2.2/24 dev wire
	on gw-b ip addr add 2001:db8::2/64 dev wire nodad
	on gw-b ip addr add 203.0.113.1/24 dev lan
	on gw-b ip addr add 2001:db8:b::1/64 dev lan nodad
	on lan-b ip addr add 203.0.113.10/24 dev lan-b
	on lan-b ip addr add 2001:db8:b::10/64 dev lan-b nodad
	for n in lan-a gw-a gw-b lan-b; do
		on $n sh -c 'for l in /sys/class/net/*; do ip link set "${l##*/}" up; done'
	done
	on gw-a sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	on gw-b sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	on lan-a ip route add default via 198.51.100.1
	on lan-a ip -6 route add default via 2001:db8:a::1
	on lan-b ip route add default via 203.0.113.1
	on lan-b ip -6 route add default via 2001:db8:b::1
	on gw-a ip route add 203.0.113.0/24 via 192.0.2.2
	on gw-a ip -6 route add 2001:db8:b::/64 via 2001:db8::2
	on gw-b ip route add 198.51.100.0/24 via 192.0.2.1
	on gw-b ip -6 route add 2001:db8:a::/64 via 2001:db8::1
}

topo_down() {
	local n
	for n in lan-a gw-a gw-b lan-b; do
		ip netns del "$(ns $n)" 2>/dev/null
	done
	true
}

# policies GW LOCAL PEER LOCAL-LAN PEER-LAN REQID: tunnel-mode policies
# between the two LANs on gateway GW, bound to REQID.
policies() {
	local gw=$1 me=$2 peer=$3 mine=$4 theirs=$5 reqid=$6
	on "$gw" ip xfrm policy add src "$mine" dst "$theirs" dir out \
		tmpl src "$me" dst "$peer" proto esp reqid "$reqid" mode tunnel
	on "$gw" ip xfrm policy add src "$theirs" dst "$mine" dir fwd \
		tmpl src "$peer" dst "$me" proto esp reqid "$reqid" mode tunnel
	on "$gw" ip xfrm policy add src "$theirs" dst "$mine" dir in \
		tmpl src "$peer" dst "$me" proto esp reqid "$reqid" mode tunnel
}

# qkd_keys FIRST COUNT: the same test key stream, as gw-a's out and in
# keys (out keys first). gw-b takes it with the directions swapped.
qkd_keys() {
	awk -v first="$1" -v n="$2" 'BEGIN {
		for (i = first; i < first + n; i++) {
			printf "out 7a000000-0000-4000-8000-%012x %064x\n", i, i * 104729 + 1
			printf "in 7b000000-0000-4000-8000-%012x %064x\n", i, i * 130363 + 7
		}
	}'
}

swap_dirs() {
	sed 's/^out /IN /; s/^in /out /; s/^IN /in /'
}
