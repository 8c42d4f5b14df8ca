# Two gateways and two LAN hosts in four network namespaces, and helpers to
# key IPsec between them, for the IPsec tests and the demo:
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

# Each namespace is set up by one `ip -batch` (a process start costs about
# 0.3 s under TCG with slub_debug, and this runs before every IPsec test).
topo_up() {
	local n
	for n in lan-a gw-a gw-b lan-b; do
		ip netns add "$(ns $n)"
	done
	ip -batch - <<-EOF
		link add lan netns $(ns gw-a) type veth peer name lan-a netns $(ns lan-a)
		link add wire netns $(ns gw-a) type veth peer name wire netns $(ns gw-b)
		link add lan netns $(ns gw-b) type veth peer name lan-b netns $(ns lan-b)
	EOF
	ip -n "$(ns lan-a)" -batch - <<-EOF
		addr add 198.51.100.10/24 dev lan-a
		addr add 2001:db8:a::10/64 dev lan-a nodad
		link set lo up
		link set lan-a up
		route add default via 198.51.100.1
		route add ::/0 via 2001:db8:a::1
	EOF
	ip -n "$(ns gw-a)" -batch - <<-EOF
		addr add 198.51.100.1/24 dev lan
		addr add 2001:db8:a::1/64 dev lan nodad
		addr add 192.0.2.1/24 dev wire
		addr add 2001:db8::1/64 dev wire nodad
		link set lo up
		link set lan up
		link set wire up
		route add 203.0.113.0/24 via 192.0.2.2
		route add 2001:db8:b::/64 via 2001:db8::2
	EOF
	ip -n "$(ns gw-b)" -batch - <<-EOF
		addr add 192.0.2.2/24 dev wire
		addr add 2001:db8::2/64 dev wire nodad
		addr add 203.0.113.1/24 dev lan
		addr add 2001:db8:b::1/64 dev lan nodad
		link set lo up
		link set wire up
		link set lan up
		route add 198.51.100.0/24 via 192.0.2.1
		route add 2001:db8:a::/64 via 2001:db8::1
	EOF
	ip -n "$(ns lan-b)" -batch - <<-EOF
		addr add 203.0.113.10/24 dev lan-b
		addr add 2001:db8:b::10/64 dev lan-b nodad
		link set lo up
		link set lan-b up
		route add default via 203.0.113.1
		route add ::/0 via 2001:db8:b::1
	EOF
	on gw-a sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	on gw-b sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
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
	ip -n "$(ns "$gw")" -batch - <<-EOF
		xfrm policy add src $mine dst $theirs dir out tmpl src $me dst $peer proto esp reqid $reqid mode tunnel
		xfrm policy add src $theirs dst $mine dir fwd tmpl src $peer dst $me proto esp reqid $reqid mode tunnel
		xfrm policy add src $theirs dst $mine dir in tmpl src $peer dst $me proto esp reqid $reqid mode tunnel
	EOF
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

# gateways [LINK-OPTION]...: both gateways get link dc1 for reqid 42 and the
# same keys, directions swapped, plus the tunnel policies between the LANs.
gateways() {
	topo_up
	policies gw-a 192.0.2.1 192.0.2.2 198.51.100.0/24 203.0.113.0/24 42
	policies gw-b 192.0.2.2 192.0.2.1 203.0.113.0/24 198.51.100.0/24 42
	on gw-a qkdctl link add dc1 local-sae gw-a peer-sae gw-b \
		local-addr 192.0.2.1 peer-addr 192.0.2.2 reqid 42 "$@"
	on gw-b qkdctl link add dc1 local-sae gw-b peer-sae gw-a \
		local-addr 192.0.2.2 peer-addr 192.0.2.1 reqid 42 "$@"
}

# feed FIRST COUNT: keys of the test stream to both gateways.
feed() {
	qkd_keys "$1" "$2" >keys.txt
	on gw-a qkdctl key load dc1 file keys.txt
	swap_dirs <keys.txt | on gw-b qkdctl key load dc1
}

# wait_ready GW: polls, with a deadline, until GW's link has an active out
# SA and its two in SAs ahead.
wait_ready() {
	local deadline=$((SECONDS + 30))
	# -s: no output at all (no link yet) is [], not a success of jq -e.
	until on "$1" qkdctl -j sa show dc1 2>/dev/null | jq -e -s '.[0] // [] |
		([.[] | select(.dir == "out" and .state == "active")] | length == 1) and
		([.[] | select(.dir == "in" and .state == "pending")] | length >= 2)' >/dev/null; do
		[ $SECONDS -lt $deadline ] || { on "$1" qkdctl sa show; return 1; }
		sleep 0.2
	done
}

# capture GW FILE [FILTER]: starts tcpdump on what GW sends onto the wire
# (the two gateways' sends are all the wire carries; what a gateway
# receives, tcpdump also shows again after ESP decapsulation) and returns
# once it listens; its pid is in $capture_pid.
capture() {
	local deadline=$((SECONDS + 20))
	on "$1" tcpdump -n -U --immediate-mode -Q out -i wire -w "$2" $3 2>"$2.err" &
	capture_pid=$!
	until grep -q listening "$2.err"; do
		[ $SECONDS -lt $deadline ] || { cat "$2.err"; return 1; }
		sleep 0.1
	done
}

# listen NS PORT FILE: a TCP server writing what it receives to FILE,
# ready when this returns; its pid is in $listen_pid.
listen() {
	local deadline=$((SECONDS + 20))
	on "$1" sh -c "nc -l $2 >$3" &
	listen_pid=$!
	until on "$1" ss -ltn | grep -q ":$2 "; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.1
	done
}
