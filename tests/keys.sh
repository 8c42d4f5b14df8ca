#!/bin/bash
# Keys as an operator feeds and uses them: qkdctl key load, the keyring
# (keyctl padd, keyctl read), and QKD keys exported to dm-crypt. Runs in the
# test VM with qkd.ko loaded; every test in a network namespace of its own.
TAP_NETNS=1
. "$(dirname "$0")/lib.sh"

# keyfile DIR FIRST COUNT: lines "DIR UUID HEX", key n of a test stream.
keyfile() {
	awk -v dir="$1" -v first="$2" -v n="$3" 'BEGIN {
		for (i = first; i < first + n; i++)
			printf "%s 6f1c2a3e-%04x-4000-8000-%012x %064x\n", dir, i % 65536, i, i * 7919
	}'
}

pool_json() {
	qkdctl -j link show "$1" | jq -c ".[0].pool.$2"
}

t_load_a_full_pool_and_refuse_the_next_key() {
	run qkdctl link add dc1
	{ keyfile out 0 4096; keyfile in 100000 4096; } >keys.txt
	run qkdctl key load dc1 file keys.txt
	run pool_json dc1 out >out.json
	run pool_json dc1 in >in.json
	cat out.json in.json
	jq -e '.keys == 4096 and .added == 4096 and .bytes == 131072' out.json
	jq -e '.keys == 4096 and .added == 4096' in.json
	keyfile out 5000 1 >one.txt
	expect_status 1 qkdctl key load dc1 file one.txt 2>err.txt
	cat err.txt
	grep -q 'pool full' err.txt
	grep -q 'room left: out 0, in 0' err.txt
	run pool_json dc1 out >after.json
	cmp out.json after.json
}

t_load_reads_stdin_and_keeps_key_material_off_the_command_line() {
	run qkdctl link add dc1
	keyfile in 0 3 | run qkdctl key load dc1
	[ "$(pool_json dc1 in | jq .keys)" = 3 ]
	expect_status 2 qkdctl key load dc1 "$(keyfile in 9 1)"
}

t_a_bad_key_line_names_its_line_and_loads_nothing() {
	run qkdctl link add dc1
	{ keyfile out 0 5; echo "out 6f1c2a3e-0000-4000-8000-00000000beef abcd"; } >keys.txt
	expect_status 1 qkdctl key load dc1 file keys.txt 2>err.txt
	cat err.txt
	grep -q 'line 6' err.txt
	[ "$(pool_json dc1 out | jq .keys)" = 0 ]
}

# The serial of a link's key in the namespace's keyring (/proc/keys shows
# serials in hex and the key's description, "dc1: out 1/4096 in 2/4096").
link_key_serial() {
	local hex
	hex=$(awk -v name="$1:" '$8 == "qkd" && $9 == name { print $1; exit }' /proc/keys)
	[ -n "$hex" ] && echo $((16#$hex))
}

t_keyctl_padd_feeds_the_right_pool() {
	run qkdctl link add dc1
	head -c 32 /dev/urandom >k
	run keyctl padd qkd dc1:out:6f1c2a3e-0000-4000-8000-000000000001 @u <k
	run keyctl padd qkd dc1:in:6f1c2a3e-0000-4000-8000-000000000002 @u <k
	run keyctl padd qkd dc1:in:6f1c2a3e-0000-4000-8000-000000000003 @u <k
	[ "$(pool_json dc1 out | jq .keys)" = 1 ]
	[ "$(pool_json dc1 in | jq .keys)" = 2 ]
	grep ' qkd ' /proc/keys
	grep -q 'dc1: out 1/4096 in 2/4096' /proc/keys
}

t_keyctl_padd_refuses_what_netlink_refuses() {
	run qkdctl link add dc1
	head -c 32 /dev/urandom >k
	head -c 16 /dev/urandom >short
	run keyctl padd qkd dc1:out:6f1c2a3e-0000-4000-8000-000000000001 @u <k
	expect_status 1 keyctl padd qkd dc1:out:6f1c2a3e-0000-4000-8000-000000000001 @u <k
	expect_status 1 keyctl padd qkd dc1:out:6f1c2a3e-0000-4000-8000-000000000009 @u <short
	expect_status 1 keyctl padd qkd nope:out:6f1c2a3e-0000-4000-8000-000000000009 @u <k
	expect_status 1 keyctl padd qkd dc1:sideways:6f1c2a3e-0000-4000-8000-000000000009 @u <k
	expect_status 1 keyctl padd qkd dc1:out:not-a-uuid @u <k
	expect_status 1 keyctl padd qkd dc1 @u <k
	[ "$(pool_json dc1 out | jq .keys)" = 1 ]
}

t_no_key_the_module_makes_can_be_read() {
	run qkdctl link add dc1 consumer export
	keyfile out 0 2 | run qkdctl key load dc1
	head -c 32 /dev/urandom >k
	receipt=$(keyctl padd qkd dc1:in:6f1c2a3e-0000-4000-8000-000000000001 @u <k)
	linkkey=$(link_key_serial dc1)
	[ -n "$linkkey" ] || fail "no link key in /proc/keys"
	logon=$(qkdctl key export dc1 dir out keyring @u desc qkd:disk)
	for k in "$linkkey" "$receipt" "$logon"; do
		expect_status 1 keyctl read "$k"
		expect_status 1 keyctl pipe "$k"
	done
}

t_an_unprivileged_user_cannot_feed_a_pool_through_the_keyring() {
	run qkdctl link add dc1
	head -c 32 /dev/urandom >k
	chmod 644 k
	expect_status 1 setpriv --reuid 65534 --regid 65534 --clear-groups \
		keyctl padd qkd dc1:out:6f1c2a3e-0000-4000-8000-000000000001 @s <k
	[ "$(pool_json dc1 out | jq .keys)" = 0 ]
}

t_another_namespace_cannot_feed_the_pool() {
	run qkdctl link add dc1
	head -c 32 /dev/urandom >k
	expect_status 1 unshare --net keyctl padd qkd \
		dc1:out:6f1c2a3e-0000-4000-8000-000000000001 @u <k
	[ "$(pool_json dc1 out | jq .keys)" = 0 ]
}

# Two gateways hold the same QKD key; each exports it to a logon key; a
# dm-crypt mapping keyed by one writes what a mapping keyed by the other
# reads. A mapping with another key reads noise.
t_dm_crypt_with_the_same_qkd_key_on_two_links() {
	# No udev in the VM: dmsetup makes the /dev/mapper nodes itself.
	export DM_DISABLE_UDEV=1
	modprobe dm_crypt
	modprobe loop
	run qkdctl link add gw-a consumer export
	run qkdctl link add gw-b consumer export
	run qkdctl link add other consumer export
	keyfile out 1 1 >same.txt
	sed 's/^out/in/' same.txt >same-in.txt
	run qkdctl key load gw-a file same.txt
	run qkdctl key load gw-b file same-in.txt
	keyfile out 2 1 | run qkdctl key load other
	run qkdctl key export gw-a dir out keyring @u desc qkd:gw-a
	run qkdctl key export gw-b dir in keyring @u desc qkd:gw-b
	run qkdctl key export other dir out keyring @u desc qkd:other
	[ "$(pool_json gw-a out | jq .exported)" = 1 ]

	truncate -s 4M disk.img
	dev=$(losetup --find --show disk.img)
	sectors=$(blockdev --getsz "$dev")
	# Whatever happens, leave no mapping or loop device to later tests.
	trap 'set +e; for m in qkd-a qkd-b qkd-c; do dmsetup remove $m 2>/dev/null; done
	      losetup -d $dev; true' EXIT
	run dmsetup create qkd-a --table "0 $sectors crypt aes-xts-plain64 :32:logon:qkd:gw-a 0 $dev 0"
	head -c 1M /dev/urandom >data
	run dd if=data of=/dev/mapper/qkd-a bs=64K oflag=direct status=none
	run dmsetup remove qkd-a
	cmp -n 1048576 data "$dev" && fail "the disk holds plaintext"

	run dmsetup create qkd-b --table "0 $sectors crypt aes-xts-plain64 :32:logon:qkd:gw-b 0 $dev 0"
	run dd if=/dev/mapper/qkd-b of=back bs=64K count=16 iflag=direct status=none
	run dmsetup remove qkd-b
	cmp data back

	run dmsetup create qkd-c --table "0 $sectors crypt aes-xts-plain64 :32:logon:qkd:other 0 $dev 0"
	run dd if=/dev/mapper/qkd-c of=noise bs=64K count=16 iflag=direct status=none
	run dmsetup remove qkd-c
	cmp -s data noise && fail "another key read the data"
	true
}

# wait_lines FILE N: polls, with a deadline, until FILE has N lines.
wait_lines() {
	local deadline=$((SECONDS + 20))
	until [ "$(wc -l <"$1")" -ge "$2" ]; do
		[ $SECONDS -lt $deadline ] || { cat "$1"; return 1; }
		sleep 0.1
	done
}

t_monitor_shows_low_water_and_empty_at_the_crossings() {
	run qkdctl link add dc1 capacity 8 low-water 2 consumer export
	keyfile out 0 4 | run qkdctl key load dc1
	qkdctl monitor count 2 >events.txt 2>monitor.err &
	local monitor=$!
	wait_lines monitor.err 1
	grep -qx monitoring monitor.err
	# 4 -> 3: above the mark, nothing; 3 -> 2: low-water.
	run qkdctl key export dc1 dir out keyring @u desc qkd:e1 >/dev/null
	run qkdctl key export dc1 dir out keyring @u desc qkd:e2 >/dev/null
	run wait_lines events.txt 1
	[ "$(wc -l <events.txt)" = 1 ]
	# 2 -> 1: below the mark already, nothing; 1 -> 0: empty.
	run qkdctl key export dc1 dir out keyring @u desc qkd:e3 >/dev/null
	run qkdctl key export dc1 dir out keyring @u desc qkd:e4 >/dev/null
	wait $monitor
	cat events.txt
	[ "$(sed -n 1p events.txt)" = "low-water dc1 dir out keys 2 low-water 2" ]
	[ "$(sed -n 2p events.txt)" = "empty dc1 dir out keys 0" ]
}

tap_one "$@"
# Each test has a network namespace of its own, but the keyring tests
# share root's user keyring: the netlink ones two at once, those alone.
TAP_JOBS=2
tap_test "keys: 4096 keys per direction load; the 4097th is refused and changes nothing" t_load_a_full_pool_and_refuse_the_next_key
tap_test "keys: key load reads stdin; material on the command line is a usage error" t_load_reads_stdin_and_keeps_key_material_off_the_command_line
tap_test "keys: a bad key line names its line and loads nothing of its batch" t_a_bad_key_line_names_its_line_and_loads_nothing
tap_run_queue
TAP_JOBS=1
tap_test "keyring: keyctl padd feeds the pool its description names" t_keyctl_padd_feeds_the_right_pool
tap_test "keyring: keyctl padd refuses duplicates, wrong sizes, unknown links and bad names" t_keyctl_padd_refuses_what_netlink_refuses
tap_test "keyring: no key the module makes yields material to keyctl read" t_no_key_the_module_makes_can_be_read
tap_test "keyring: an unprivileged user cannot feed a pool" t_an_unprivileged_user_cannot_feed_a_pool_through_the_keyring
tap_test "keyring: another network namespace cannot feed the pool" t_another_namespace_cannot_feed_the_pool
tap_test "monitor: low-water and empty events come at the crossings, and only then" t_monitor_shows_low_water_and_empty_at_the_crossings
tap_test "dm-crypt: two links holding the same QKD key open the same volume; another key does not" t_dm_crypt_with_the_same_qkd_key_on_two_links
tap_done
