#!/bin/bash
# The module's life: loading, unloading and namespaces going away never
# leave a link behind. Runs in the test VM with qkd.ko not loaded; the VM
# boots with slub_debug, so qkd_link objects are counted exactly in
# /proc/slabinfo and a link left at unload is reported by the slab allocator.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"

MOD=${QKD_KO:-$PWD/kmod/qkd.ko}

live_links() {
	awk '$1 == "qkd_link" { print $2 }' /proc/slabinfo
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
	awk '$1 == "qkd_sa" { print $2 }' /proc/slabinfo
}

no_sas() {
	[ "$(live_sas)" = 0 ]
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

t_load_unload_20_times_with_links() {
	for i in $(seq 20); do
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
	[ "$(live_sas)" = 3 ] || fail "$(live_sas) SAs tracked, expected 3"
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
tap_test "module: loads and unloads 20 times with links in two namespaces" t_load_unload_20_times_with_links
tap_test "module: deleting a network namespace frees its links" t_netns_deletion_frees_its_links
tap_test "module: unloading frees the links of every namespace" t_unload_frees_links_of_every_namespace
tap_test "module: unloading removes every SA it installed" t_unload_removes_every_sa_it_installed
tap_test "module: deleting a network namespace frees its SAs" t_netns_deletion_frees_its_sas
tap_test "qkdctl: without the module, one error line and exit 1" t_qkdctl_without_the_module
tap_done
