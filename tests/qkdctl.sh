#!/bin/bash
# qkdctl as an operator uses it, against the loaded module. Runs in the test
# VM; every test starts in a network namespace of its own.
TAP_NETNS=1
# Each test in a network namespace of its own: two at once.
TAP_JOBS=2
. "$(dirname "$0")/lib.sh"

t_add_and_show_json() {
	run qkdctl link add dc1 local-sae gw-a peer-sae gw-b reqid 42 rekey-time 60 \
		local-addr 192.0.2.1 peer-addr 198.51.100.2 cipher chacha20-poly1305
	run qkdctl -j link show >out.json
	cat out.json
	run jq -e 'length == 1' out.json
	run jq -e '.[0] | .name == "dc1" and .["local-sae"] == "gw-a" and
		.["peer-sae"] == "gw-b" and .reqid == 42 and .["rekey-time"] == 60 and
		.["local-addr"] == "192.0.2.1" and .["peer-addr"] == "198.51.100.2" and
		.cipher == "chacha20-poly1305" and .["key-bits"] == 256 and
		.capacity == 4096 and .["on-empty"] == "hold" and .consumer == "xfrm"' out.json
}

t_show_plain() {
	run qkdctl link add dc1 reqid 42 local-addr 2001:db8::1 peer-addr 2001:db8::2
	run qkdctl link show dc1 >out.txt
	cat out.txt
	grep -q '^dc1: ' out.txt
	grep -q 'reqid 42' out.txt
	grep -q 'local-addr 2001:db8::1' out.txt
}

t_set_changes_the_link() {
	run qkdctl link add dc1
	run qkdctl link set dc1 rekey-time 30 on-empty block
	run qkdctl -j link show dc1 >out.json
	run jq -e '.[0]["rekey-time"] == 30 and .[0]["on-empty"] == "block"' out.json
}

t_kernel_refusal_is_one_line_and_exit_1() {
	run qkdctl link add a reqid 42
	expect_status 1 qkdctl link add b reqid 42 2>err.txt
	cat err.txt
	[ "$(wc -l <err.txt)" = 1 ] || fail "expected exactly one line"
	grep -qx 'Error: reqid already bound to another link (attribute reqid)' err.txt
	expect_status 1 qkdctl link show b 2>/dev/null
}

t_policy_refusal_names_the_attribute() {
	expect_status 1 qkdctl link add k key-bits 520 2>err.txt
	cat err.txt
	[ "$(wc -l <err.txt)" = 1 ] || fail "expected exactly one line"
	grep -q '^Error: .*(attribute key-bits)' err.txt
}

t_usage_errors_exit_2_and_change_nothing() {
	expect_status 2 qkdctl link add a colour blue 2>err.txt
	expect_status 2 qkdctl link add a reqid 12x 2>>err.txt
	expect_status 2 qkdctl link add a reqid -1 2>>err.txt
	expect_status 2 qkdctl link add a reqid 4294967296 2>>err.txt
	expect_status 2 qkdctl link add a cipher des 2>>err.txt
	expect_status 2 qkdctl link add a local-addr 300.1.1.1 2>>err.txt
	expect_status 2 qkdctl link add 2>>err.txt
	expect_status 2 qkdctl frobnicate 2>>err.txt
	cat err.txt
	[ "$(wc -l <err.txt)" -ge 8 ]
	run qkdctl -j link show >out.json
	run jq -e 'length == 0' out.json
}

t_del_then_show_fails() {
	run qkdctl link add a
	run qkdctl link del a
	expect_status 1 qkdctl link show a 2>err.txt
	grep -qx 'Error: no link with this name (attribute name)' err.txt
}

t_netns_option() {
	run ip netns add qkdtest
	run qkdctl -n qkdtest link add inside reqid 5
	run qkdctl -j link show >here.json
	run qkdctl -n qkdtest -j link show >there.json
	ip netns del qkdtest
	run jq -e 'length == 0' here.json
	run jq -e 'length == 1 and .[0].name == "inside"' there.json
}

t_unknown_netns_is_an_error() {
	expect_status 1 qkdctl -n no-such-netns link show 2>err.txt
	cat err.txt
	[ "$(wc -l <err.txt)" = 1 ]
}

tap_one "$@"
tap_test "qkdctl: link add, then -j link show prints the link as JSON" t_add_and_show_json
tap_test "qkdctl: link show prints a link in iproute2 style" t_show_plain
tap_test "qkdctl: link set changes the given settings" t_set_changes_the_link
tap_test "qkdctl: a kernel refusal prints one line and exits 1" t_kernel_refusal_is_one_line_and_exit_1
tap_test "qkdctl: a policy refusal names the attribute" t_policy_refusal_names_the_attribute
tap_test "qkdctl: usage errors exit 2 and change nothing" t_usage_errors_exit_2_and_change_nothing
tap_test "qkdctl: link del, then show of that link fails" t_del_then_show_fails
tap_test "qkdctl: -n NETNS works in that namespace only" t_netns_option
tap_test "qkdctl: -n with an unknown namespace is one error line" t_unknown_netns_is_an_error
tap_done
