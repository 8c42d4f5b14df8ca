#!/bin/bash
# Bench row 1, rotation: the module against strongSwan (Debian's charon and
# swanctl, one instance per gateway, IKEv2 PSK, aes256gcm16 without PFS,
# CHILD_SA rekeys), each keying lan-a <-> lan-b (tests/topo.sh) under a
# constant ping stream, each timed in the kernel and never from a CLI
# process's start (a process start alone costs about 110 ms under TCG):
#
#   request: the module from its LINK_REKEY handler's entry to the new out
#            SA announced (qkd_event_rekey); charon from swanctl's vici
#            request (unix_stream_sendmsg by swanctl) to the fourth SA
#            install that follows (both gateways' new in and out SAs);
#   soft:    from the kernel's soft expiry of the out SA (a packet limit,
#            km_state_notify with XFRM_MSG_EXPIRE) to the same ends: no
#            process is involved at all.
#
# The module rotates each direction on its own (the sender switches, the
# receiver has its SA installed ahead), so one rotation is one direction,
# and both gateways rotate in turn; charon replaces both directions in one
# exchange. Times come from kprobes on those functions (trace_clock mono).
# CPU per rotation: the module's, the durations of its SA work (sync_work)
# and of its rekey handler (kretprobes); charon's, the on-CPU time of every
# thread of both daemons (schedstat), over the same rotations. Packets lost:
# lan-a's echo requests against its echo replies (kernel counters).
# Runs in the VM with qkd.ko loaded; needs pahole (dwarves) for the offsets
# of struct xfrm_state and struct km_event, read from the kernel's BTF.
#
# usage: rotation.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/topo.sh
n=30	# rotations of each kind and each side
if [ "${1-}" = --quick ]; then n=2; fi
# Packets an out SA carries before its soft expiry (about a quarter of a
# second of the ping stream below).
PKTS=50
TR=/sys/kernel/tracing
WORK=$(mktemp -d)
charons=()
pinger=

cleanup() {
	local rc=$? p f
	if [ "$rc" != 0 ]; then
		for f in "$WORK"/*.out "$WORK"/*.log "$WORK"/*.err "$WORK"/*.trace; do
			[ -f "$f" ] || continue
			echo "rotation: exit $rc; the end of $f:" >&2
			tail -n 15 "$f" >&2
		done
	fi
	[ ! -d "$TR/events/qb" ] || echo 0 >"$TR/events/qb/enable"
	echo >"$TR/kprobe_events" 2>/dev/null || true
	[ -z "$pinger" ] || kill "$pinger" 2>/dev/null || true
	for p in "${charons[@]}"; do kill "$p" 2>/dev/null || true; done
	for TOPO in bench-rot-m bench-rot-p bench-rot-s; do topo_down || true; done
}
trap cleanup EXIT
cd "$WORK"

# --- kprobes -----------------------------------------------------------------

[ -d "$TR/events" ] || mount -t tracefs nodev "$TR"
# off STRUCT FIELD: FIELD's byte offset in STRUCT, from the kernel's BTF.
off() {
	pahole -F btf -C "$1" /sys/kernel/btf/vmlinux |
		awk -v f="$2" '$0 ~ "[ *]" f ";" { sub(/.*\/\* */, ""); print $1; exit }'
}
spi=$(($(off xfrm_state id) + $(off xfrm_id spi)))
ev=$(off km_event event)
hard=$(off km_event data)
[ -n "$spi" ] && [ -n "$ev" ] && [ -n "$hard" ] ||
	{ echo "rotation: no offsets from pahole" >&2; exit 1; }
echo 0 >"$TR/tracing_on"
echo mono >"$TR/trace_clock"
echo 4096 >"$TR/buffer_size_kb"
cat >"$TR/kprobe_events" <<-EOF
	p:qb/notify qkd:km_notify spi=+$spi(%di):u32 ev=+$ev(%si):u32 hard=+$hard(%si):u32
	p:qb/rekey qkd:qkd_event_rekey old=%si:u32
	p:qb/req qkd:qkd_nl_link_rekey
	r:qb/reqret qkd:qkd_nl_link_rekey
	p:qb/work qkd:sync_work
	r:qb/workret qkd:sync_work
	p:qb/vici unix_stream_sendmsg
	p:qb/addsa xfrm_user:xfrm_add_sa
	r:qb/addsaret xfrm_user:xfrm_add_sa
EOF
echo 'comm == "swanctl"' >"$TR/events/qb/vici/filter"
echo 1 >"$TR/events/qb/enable"

trace_start() {
	echo >"$TR/trace"
	echo 1 >"$TR/tracing_on"
}

# trace_stop FILE: the events since trace_start, one a line:
# "TIME PID EVENT ARGS...", TIME in seconds.
trace_stop() {
	echo 0 >"$TR/tracing_on"
	awk '/^#/ { next } {
		for (i = 1; i <= NF; i++)
			if ($i ~ /^[0-9]+\.[0-9]+:$/)
				break
		if (i > NF)
			next
		pid = $1
		sub(/.*-/, "", pid)
		ev = $(i + 1)
		sub(/:$/, "", ev)
		line = substr($i, 1, length($i) - 1) " " pid " " ev
		for (j = i + 3; j <= NF; j++)
			line = line " " $j
		print line
	}' "$TR/trace" >"$1"
}

# --- traffic -------------------------------------------------------------------

icmp() {
	on "$1" nstat -az "$2" | awk -v c="$2" '$1 == c { print $2 }'
}

ping_start() {
	ping_req0=$(icmp lan-a IcmpOutEchos) ping_rep0=$(icmp lan-a IcmpInEchoReps)
	ip netns exec "$(ns lan-a)" ping -q -i 0.005 -l 3 -W 1 203.0.113.10 >/dev/null 2>&1 &
	pinger=$!
}

# ping_stop: kills the stream and, once the replies in flight are in (or
# after 3 s), sets $sent and $lost.
ping_stop() {
	local deadline=$((SECONDS + 3)) req rep
	kill "$pinger"
	wait "$pinger" 2>/dev/null || true
	pinger=
	while :; do
		req=$(icmp lan-a IcmpOutEchos) rep=$(icmp lan-a IcmpInEchoReps)
		[ $((req - rep)) -gt $((ping_req0 - ping_rep0)) ] && [ $SECONDS -lt $deadline ] ||
			break
		sleep 0.2
	done
	sent=$((req - ping_req0))
	lost=$((sent - (rep - ping_rep0)))
}

# --- the module ----------------------------------------------------------------

# in_used GW: the keys GW's in pool has handed to SAs.
in_used() {
	on "$1" qkdctl -j link show dc1 |
		jq -s '[.. | objects | select(has("pool"))][0].pool.in.used'
}

# wait_slid GW N: polls, with a deadline, until in_used GW is N or more.
wait_slid() {
	local deadline=$((SECONDS + 15))
	until [ "$(in_used "$1")" -ge "$2" ]; do
		[ $SECONDS -lt $deadline ] || { echo "rotation: $1 did not slide" >&2; return 1; }
		sleep 0.1
	done
}

# module_request: n rekey requests on each gateway in turn, each once the
# peer's window has slid onto the previous one.
module_request() {
	TOPO=bench-rot-m
	gateways
	feed 1 $((n + 12))
	wait_ready gw-a
	wait_ready gw-b
	local a0 b0 k
	a0=$(in_used gw-a) b0=$(in_used gw-b)
	ping_start
	trace_start
	for ((k = 1; k <= n; k++)); do
		on gw-a qkdctl link rekey dc1
		wait_slid gw-b $((b0 + k))
		on gw-b qkdctl link rekey dc1
		wait_slid gw-a $((a0 + k))
	done
	trace_stop m-req.trace
	ping_stop
	m_req_lost="$lost of $sent"
	topo_down
}

# module_soft: the same, each rotation started by the out SA's soft packet
# limit, until both gateways have rotated n times.
module_soft() {
	TOPO=bench-rot-p
	gateways rekey-packets $PKTS
	feed 1 $((n + 12))
	wait_ready gw-a
	wait_ready gw-b
	local a0 b0
	a0=$(in_used gw-a) b0=$(in_used gw-b)
	ping_start
	trace_start
	wait_slid gw-b $((b0 + n))
	wait_slid gw-a $((a0 + n))
	trace_stop m-soft.trace
	ping_stop
	m_soft_lost="$lost of $sent"
	topo_down
}

# module_times TRACE KIND: one line per rotation, its time in ms; KIND req:
# handler entry to the rekey event in the same task; soft: the out SA's
# soft expiry to the rekey event that replaces it.
module_times() {
	awk -v kind="$2" '
		function bswap(v) {
			return (v % 256) * 16777216 + int(v / 256) % 256 * 65536 + int(v / 65536) % 256 * 256 + int(v / 16777216)
		}
		function arg(name,   i) {
			for (i = 4; i <= NF; i++)
				if (index($i, name "=") == 1)
					return substr($i, length(name) + 2)
		}
		kind == "req" && $3 == "req" { t0[$2] = $1 }
		kind == "req" && $3 == "rekey" && ($2 in t0) {
			printf "%.3f\n", ($1 - t0[$2]) * 1000
			delete t0[$2]
		}
		kind == "soft" && $3 == "notify" && arg("ev") == 24 && arg("hard") == 0 {
			# The last one before the rekey: the in SA of the peer, of the
			# same SPI expired softly at its first packet, long before.
			texp[bswap(arg("spi"))] = $1
		}
		kind == "soft" && $3 == "rekey" && (arg("old") in texp) {
			printf "%.3f\n", ($1 - texp[arg("old")]) * 1000
			delete texp[arg("old")]
		}
	' "$1"
}

# module_cpu TRACE [EVENT]: ms the module's SA work and rekey handler ran,
# in all (EVENT addsa: xfrm_user's SA installs instead).
module_cpu() {
	awk -v e="${2-}" '
		(e == "" && ($3 == "work" || $3 == "req")) || (e != "" && $3 == e) { t0[$2] = $1 }
		($3 == "workret" || $3 == "reqret" || $3 == e "ret") && ($2 in t0) {
			s += $1 - t0[$2]
			delete t0[$2]
		}
		END { printf "%.3f\n", s * 1000 }
	' "$1"
}

# --- strongSwan --------------------------------------------------------------

swan_conf() {
	cat >"strongswan-$1.conf" <<-EOF
		charon {
			load = random nonce aes sha1 sha2 hmac gmp kdf kernel-netlink socket-default vici
			install_routes = no
			install_virtual_ip = no
			plugins {
				vici {
					socket = unix://$WORK/$1.vici
				}
			}
			filelog {
				bench {
					path = $WORK/charon-$1.log
					default = 1
				}
			}
		}
	EOF
}

# swan_conns GW ME PEER MY-NET PEER-NET PACKETS: GW's connection "bench";
# its CHILD_SA rekeys after PACKETS packets (0: never by packets), never by
# time within the run.
swan_conns() {
	cat >"swanctl-$1.conf" <<-EOF
		connections {
			bench {
				version = 2
				local_addrs = $2
				remote_addrs = $3
				proposals = aes256-sha256-modp2048
				rekey_time = 0
				local {
					auth = psk
					id = $1
				}
				remote {
					auth = psk
					id = $([ "$1" = gw-a ] && echo gw-b || echo gw-a)
				}
				children {
					net {
						local_ts = $4
						remote_ts = $5
						esp_proposals = aes256gcm16
						mode = tunnel
						rekey_time = 24h
						life_time = 25h
						rand_time = 0
						rekey_packets = $6
						life_packets = 0
						rand_packets = 0
						start_action = none
					}
				}
			}
		}
		secrets {
			ike-bench {
				id-a = gw-a
				id-b = gw-b
				secret = "quantumnet bench, not a secret"
			}
		}
	EOF
}

# swanctl_on GW COMMAND [ARG]...: swanctl COMMAND against GW's charon; its
# complaints about plugins it does not have go to swanctl.err.
swanctl_on() {
	local gw=$1 cmd=$2
	shift 2
	swanctl "$cmd" --uri "unix://$WORK/$gw.vici" "$@" 2>>"$WORK/swanctl.err"
}

# swan_up PACKETS: both charons running with connection "bench" loaded,
# its CHILD_SA established from gw-a.
swan_up() {
	local gw deadline=$((SECONDS + 30))
	TOPO=bench-rot-s
	topo_up
	swan_conf gw-a
	swan_conf gw-b
	for gw in gw-a gw-b; do
		ip netns exec "$(ns $gw)" unshare -m sh -c \
			"mount -t tmpfs run /run && STRONGSWAN_CONF=$WORK/strongswan-$gw.conf exec /usr/lib/ipsec/charon" \
			>"charon-$gw.out" 2>&1 &
		charons+=($!)
	done
	until [ -S gw-a.vici ] && [ -S gw-b.vici ]; do
		[ $SECONDS -lt $deadline ] || { cat charon-*.out; return 1; }
		sleep 0.1
	done
	swan_load "$1"
	swanctl_on gw-a --initiate --child net >initiate.out
}

swan_load() {
	swan_conns gw-a 192.0.2.1 192.0.2.2 198.51.100.0/24 203.0.113.0/24 "$1"
	swan_conns gw-b 192.0.2.2 192.0.2.1 203.0.113.0/24 198.51.100.0/24 0
	swanctl_on gw-a --load-all --file "$WORK/swanctl-gw-a.conf" >/dev/null
	swanctl_on gw-b --load-all --file "$WORK/swanctl-gw-b.conf" >/dev/null
}

# charon_cpu: ns on CPU of every thread of both charons so far.
charon_cpu() {
	local p
	for p in "${charons[@]}"; do cat /proc/"$p"/task/*/schedstat; done |
		awk '{ s += $1 } END { printf "%.0f\n", s }'
}

# swan_wait N: the trace holds N SA installs (of this phase) or more.
swan_wait() {
	local deadline=$((SECONDS + 15))
	until [ "$(awk '/notify:.* ev=(16|26) / { n++ } END { print n + 0 }' "$TR/trace")" -ge "$1" ]; do
		[ $SECONDS -lt $deadline ] || { echo "rotation: charon's rekey did not finish" >&2; return 1; }
		sleep 0.05
	done
}

# swan_request: n rekeys of the CHILD_SA asked of gw-a's charon, each once
# the one before has installed its four SAs.
swan_request() {
	local k c0
	swan_up 0
	ping_start
	c0=$(charon_cpu)
	trace_start
	for ((k = 1; k <= n; k++)); do
		swanctl_on gw-a --rekey --child net >/dev/null
		swan_wait $((4 * k))
	done
	trace_stop s-req.trace
	s_req_cpu=$(($(charon_cpu) - c0))
	ping_stop
	s_req_lost="$lost of $sent"
}

# swan_soft: the CHILD_SA made again with gw-a's soft packet limit, then n
# rekeys started by it.
swan_soft() {
	local c0
	swanctl_on gw-a --terminate --ike bench >/dev/null
	swan_load $PKTS
	swanctl_on gw-a --initiate --child net >initiate-soft.out
	ping_start
	c0=$(charon_cpu)
	trace_start
	swan_wait $((4 * n))
	trace_stop s-soft.trace
	s_soft_cpu=$(($(charon_cpu) - c0))
	ping_stop
	s_soft_lost="$lost of $sent"
}

# swan_times TRACE KIND: one line per rekey, its time in ms, from its
# trigger (KIND req: swanctl's first write of the request; soft: the first
# soft expiry) to the fourth SA install after it.
swan_times() {
	awk -v kind="$2" '
		function arg(name,   i) {
			for (i = 4; i <= NF; i++)
				if (index($i, name "=") == 1)
					return substr($i, length(name) + 2)
		}
		!busy && kind == "req" && $3 == "vici" { t0 = $1; busy = 1; got = 0; next }
		!busy && kind == "soft" && $3 == "notify" && arg("ev") == 24 && arg("hard") == 0 {
			t0 = $1; busy = 1; got = 0; next
		}
		busy && $3 == "notify" && (arg("ev") == 16 || arg("ev") == 26) && ++got == 4 {
			printf "%.3f\n", ($1 - t0) * 1000
			busy = 0
		}
	' "$1"
}

# --- figures -------------------------------------------------------------------

# quart FILE: "median p25 p75 count" of the numbers in FILE.
quart() {
	sort -g "$1" | awk '{ v[NR] = $1 } END {
		if (!NR) { print "0 0 0 0"; exit }
		printf "%.4g %.4g %.4g %d\n", v[int((NR + 1) / 2)],
			v[int((NR + 3) / 4)], v[int((3 * NR + 3) / 4)], NR }'
}

# time_row KIND WHAT MODULE-FILE SWAN-FILE MLOST SLOST
time_row() {
	local mm m25 m75 mn sm s25 s75 sn
	read -r mm m25 m75 mn < <(quart "$3")
	read -r sm s25 s75 sn < <(quart "$4")
	awk -v kind="$1" -v what="$2" -v mm="$mm" -v m25="$m25" -v m75="$m75" -v mn="$mn" \
		-v sm="$sm" -v s25="$s25" -v s75="$s75" -v sn="$sn" -v ml="$5" -v sl="$6" 'BEGIN {
		r = mm > 0 ? sm / mm : 0
		lo = m75 > 0 ? s25 / m75 : 0
		hi = m25 > 0 ? s75 / m25 : 0
		printf "bench|1 rotation|%s: kernel-side time, %s (charon over module)|%.3f ms|charon, %.2f ms|%.1f|%.1f to %.1f (quartiles)|module median %.3f ms (p25 %.3f, p75 %.3f, %d rotations), pings lost %s; charon median %.2f ms (p25 %.2f, p75 %.2f, %d rekeys), pings lost %s\n",
			kind, what, mm, sm, r, lo, hi, mm, m25, m75, mn, ml, sm, s25, s75, sn, sl
	}'
}

# phase NAME: runs it, then its times in ms as a comment line.
phase() {
	local f=$1
	"$2"
	"$3" "$f.trace" "$4" >"$f.ms"
	echo "# rotation $f (ms): $(tr '\n' ' ' <"$f.ms")"
}
phase m-req module_request module_times req
phase m-soft module_soft module_times soft
phase s-req swan_request swan_times req
phase s-soft swan_soft swan_times soft

time_row "rekey request" "request to the new SAs" m-req.ms s-req.ms "$m_req_lost" "$s_req_lost"
time_row "soft lifetime" "soft expiry to the new SAs" m-soft.ms s-soft.ms "$m_soft_lost" "$s_soft_lost"

# CPU: the module's per rotation of one direction, charon's per rekey of
# both; against both per direction, the module's two rotations stand for
# one of charon's rekeys.
m_cpu=$(awk -v a="$(module_cpu m-req.trace)" -v b="$(module_cpu m-soft.trace)" \
	-v n="$(($(wc -l <m-req.ms) + $(wc -l <m-soft.ms)))" 'BEGIN { printf "%.4f", n ? (a + b) / n : 0 }')
s_cpu=$(awk -v a="$s_req_cpu" -v b="$s_soft_cpu" \
	-v n="$(($(wc -l <s-req.ms) + $(wc -l <s-soft.ms)))" 'BEGIN { printf "%.3f", n ? (a + b) / 1e6 / n : 0 }')
# What the kernel's xfrm_add_sa takes for one of charon's SAs: the cost of
# building an SA (state, AEAD context, key), which the module pays too.
k_sa=$(awk -v a="$(module_cpu s-req.trace addsa)" -v b="$(module_cpu s-soft.trace addsa)" \
	-v n="$(($(wc -l <s-req.ms) + $(wc -l <s-soft.ms)))" 'BEGIN { printf "%.3f", n ? (a + b) / (4 * n) : 0 }')
awk -v m="$m_cpu" -v s="$s_cpu" -v k="$k_sa" 'BEGIN {
	printf "bench|1 rotation|CPU per rotation, both directions (module over both charons)|%.3f ms|both charons, %.2f ms|%.4f|-|module: its SA work and rekey handler, %.3f ms a direction (an out SA built ahead, the in SA of the peer, two retired); charon: every thread of both daemons (schedstat), of which the kernel building each of its 4 SAs (xfrm_add_sa) %.3f ms\n",
		2 * m, s, (s > 0 ? 2 * m / s : 0), m, k
}'
