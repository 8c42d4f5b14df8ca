#!/bin/bash
# The module's life: loading, unloading and namespaces going away never
# leave a link or an SA behind. Runs in the test VM with qkd.ko not loaded.
# Links and SAs live in slab caches of their own (qkd_link, qkd_sa), so what
# is still allocated is counted there, exactly on both kernels the tests
# boot (see live_objects), and a link left at unload is reported by the slab
# allocator (on the debug kernel kmemleak's scan after the run reports it
# too, also when KFENCE held it).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"

MOD=${QKD_KO:-$PWD/kmod/qkd.ko}

# live_objects CACHE: how many objects of slab cache CACHE are allocated,
# or nothing once the cache is gone. The VM boots with slub_debug, which
# keeps every cache apart and off the per-CPU fast path, so /proc/slabinfo's
# active count is exact, with two exceptions on the debug kernel that are
# undone here. KASAN keeps freed objects in a quarantine for a while, still
# counted as active; shrinking the cache empties its part of the
# quarantine. KFENCE serves an allocation now and then from its own pool,
# outside the cache's slabs; those still allocated are added.
live_objects() {
	local n
	n=$(awk -v c="$1" '$1 == c { print $2 }' /proc/slabinfo)
	[ -n "$n" ] || return 0
	echo 1 >"/sys/kernel/slab/$1/shrink"
	n=$(awk -v c="$1" '$1 == c { print $2 }' /proc/slabinfo)
	if [ -r /sys/kernel/debug/kfence/objects ]; then
		n=$((n + $(kfence_live "$1")))
	fi
	echo "$n"
}

# kfence_live CACHE: objects of CACHE allocated from KFENCE's pool and not
# freed. Each object's entry starts "kfence-#N: ADDR, size=S, cache=NAME"
# and has a "freed by task" part once freed.
kfence_live() {
	awk -v c="cache=$1" '
	/^kfence-#/ { if (mine && !freed) n++; mine = $NF == c; freed = 0 }
	/^freed by task/ { freed = 1 }
	END { if (mine && !freed) n++; print n + 0 }' /sys/kernel/debug/kfence/objects
}

live_links() {
	live_objects qkd_link
}

# wait_for_links N: polls, with a deadline, until N qkd_link objects live.
wait_for_links() {
	local deadline=$((SECONDS + 20))
	while [ "$(live_links)" != "$1" ]; do
		[ $SECONDS -lt $deadline ] || { echo "live links: $(live_links), expected $1"; return 1; }
		sleep 0.1
	done
}

live_sas() {
	live_objects qkd_sa
}

no_sas() {
	[ "$(live_sas)" = 0 ]
}

# sas_tracked N: the module holds N SAs (installed or built ahead).
sas_tracked() {
	[ "$(live_sas)" = "$1" ]
}

# keyed_link NETNS: a link in NETNS keyed for xfrm, with its SAs (one out,
# two in) installed; no interfaces needed for that.
keyed_link() {
	qkdctl -n "$1" link add dc1 local-addr 192.0.2.1 peer-addr 192.0.2.2 reqid 42
	qkd_keys 1 4 | qkdctl -n "$1" key load dc1
	wait_until 20 has_sas "$1" 3
}

# has_sas NETNS N: NETNS holds N xfrm states.
has_sas() {
	[ "$(ip -n "$1" xfrm state | grep -c '^src')" = "$2" ]
}

no_slab_complaints() {
	if dmesg | grep -E 'qkd_link|Objects remaining'; then
		fail "the slab allocator reported leftover links"
	fi
}

# 10 rounds (about 3 s each); 5 on the debug kernel, where one takes 10 s.
ROUNDS=10
[ "${QKD_DEBUG_KERNEL:-0}" != 1 ] || ROUNDS=5

t_load_unload_rounds_with_links() {
	for i in $(seq $ROUNDS); do
		insmod "$MOD"
		ip netns add qkd-a
		qkdctl link add here$i reqid 1 >/dev/null
		qkdctl -n qkd-a link add there$i reqid 1 >/dev/null
		qkdctl -n qkd-a link add other$i if-id 3 >/dev/null
		[ "$(live_links)" = 3 ] || fail "round $i: $(live_links) links live"
		rmmod qkd
		ip netns del qkd-a
	done
	no_slab_complaints
}

t_netns_deletion_frees_its_links() {
	run insmod "$MOD"
	run ip netns add qkd-gone
	for i in $(seq 50); do
		qkdctl -n qkd-gone link add l$i
	done
	run qkdctl link add stays
	run wait_for_links 51
	run ip netns del qkd-gone
	run wait_for_links 1
	run qkdctl link show stays
	run rmmod qkd
	no_slab_complaints
}

t_unload_frees_links_of_every_namespace() {
	run insmod "$MOD"
	run ip netns add qkd-x
	run ip netns add qkd-y
	run qkdctl -n qkd-x link add x reqid 7
	run qkdctl -n qkd-y link add y reqid 7
	run wait_for_links 2
	run rmmod qkd
	ip netns del qkd-x
	ip netns del qkd-y
	no_slab_complaints
	[ -z "$(live_links)" ] || fail "qkd_link cache still present after unload"
}

t_unload_removes_every_sa_it_installed() {
	run insmod "$MOD"
	run ip netns add qkd-u
	run keyed_link qkd-u
	run rmmod qkd
	ip -n qkd-u xfrm state >left.txt
	ip netns del qkd-u
	cat left.txt
	[ ! -s left.txt ] || fail "SAs outlived the module"
	no_slab_complaints
}

t_netns_deletion_frees_its_sas() {
	run insmod "$MOD"
	run ip netns add qkd-gone
	run keyed_link qkd-gone
	# The three in the SAD and the next out SA, built ahead of its use.
	wait_until 20 sas_tracked 4 || fail "$(live_sas) SAs tracked, expected 4"
	run ip netns del qkd-gone
	run wait_until 20 no_sas
	run rmmod qkd
	no_slab_complaints
}

t_qkdctl_without_the_module() {
	expect_status 1 qkdctl link show 2>err.txt
	cat err.txt
	[ "$(wc -l <err.txt)" = 1 ]
	grep -q 'module not loaded' err.txt
}

tap_one "$@"
tap_test "module: loads and unloads $ROUNDS times with links in two namespaces" t_load_unload_rounds_with_links
tap_test "module: deleting a network namespace frees its links" t_netns_deletion_frees_its_links
tap_test "module: unloading frees the links of every namespace" t_unload_frees_links_of_every_namespace
tap_test "module: unloading removes every SA it installed" t_unload_removes_every_sa_it_installed
tap_test "module: deleting a network namespace frees its SAs" t_netns_deletion_frees_its_sas
tap_test "qkdctl: without the module, one error line and exit 1" t_qkdctl_without_the_module
tap_done
