#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# qkdctl's command line, on the host: usage errors exit 2 with one line on
# stderr and never reach the kernel, help exits 0 on stdout. Needs no
# module; where the module matters, the test expects it to be absent.
# Runs $QKDCTL, or else qkdctl from PATH.
. "$(dirname "$0")/../../tests/lib.sh"

qkdctl() {
	command "${QKDCTL:-qkdctl}" "$@"
}

# qkdctl, its stdout kept in out.txt and its stderr in err.txt.
qkdctl_to_files() {
	qkdctl "$@" >out.txt 2>err.txt
}

# expect_error STATUS PATTERN ARGS...: qkdctl ARGS exits with STATUS and
# prints exactly one line on stderr, matching the grep -E PATTERN.
expect_error() {
	local status=$1 pattern=$2
	shift 2
	expect_status "$status" qkdctl_to_files "$@"
	cat err.txt
	[ "$(wc -l <err.txt)" = 1 ] || fail "expected one line on stderr"
	grep -Eq -- "$pattern" err.txt || fail "stderr does not match /$pattern/"
}

t_help_exits_0_on_stdout() {
	for args in help -h --help "link help" "key help" "monitor help" \
		"stats help" "sa help"; do
		# shellcheck disable=SC2086 # "link help" is two words
		expect_status 0 qkdctl_to_files $args
		[ ! -s err.txt ] || fail "qkdctl $args wrote to stderr: $(cat err.txt)"
		[ -s out.txt ] || fail "qkdctl $args printed nothing"
	done
}

t_unknown_command_or_option() {
	expect_error 2 'unknown command "foo", try "qkdctl help"' foo
	expect_error 2 'unknown option' -x link
	expect_error 2 'needs an argument' -n
	expect_error 2 'unknown link command "up"' link up
}

t_missing_link_name() {
	expect_error 2 'missing link NAME' link add
	expect_error 2 'missing link NAME' link set
	expect_error 2 'missing link NAME' link del
}

t_words_after_the_name_of_del_or_show() {
	expect_error 2 'unexpected "b"' link del a b
	expect_error 2 'unexpected "b"' link show a b
}

t_name_or_sae_id_too_long() {
	expect_error 2 'too long' link add aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
	expect_error 2 'too long' link add a local-sae "$(printf '%0129d' 0)"
}

t_unknown_or_read_only_attribute() {
	expect_error 2 'unknown attribute "colour"' link add a colour red
	expect_error 2 'attribute "id" cannot be set' link set a id 3
	expect_error 2 'attribute "name" cannot be set' link set a name b
}

t_missing_or_duplicate_value() {
	expect_error 2 'missing value for "reqid"' link add a reqid
	expect_error 2 'duplicate attribute "reqid"' link add a reqid 1 reqid 2
}

t_number_not_decimal() {
	expect_error 2 'invalid reqid "-1"' link add a reqid -1
	expect_error 2 'invalid reqid "1x"' link add a reqid 1x
	expect_error 2 'invalid reqid ""' link add a reqid ''
	expect_error 2 'invalid rekey-packets "1K"' link add a rekey-packets 1K
	expect_error 2 'invalid rekey-bytes "1T"' link add a rekey-bytes 1T
}

t_number_out_of_range() {
	expect_error 2 'reqid "4294967296" is out of range' link add a reqid 4294967296
	expect_error 2 'key-bits "65536" is out of range' link add a key-bits 65536
	expect_error 2 'rx-window "256" is out of range' link add a rx-window 256
}

t_unknown_enum_word() {
	expect_error 2 'unknown mode "tunnell"' link add a mode tunnell
	expect_error 2 'unknown cipher "aes"' link add a cipher aes
	expect_error 2 'unknown on-empty "drop"' link add a on-empty drop
	expect_error 2 'unknown consumer "macsec"' link add a consumer macsec
}

t_bad_address() {
	expect_error 2 'invalid local-addr "10.0.0"' link add a local-addr 10.0.0
	expect_error 2 'must both be IPv4 or both IPv6' \
		link add a local-addr 10.0.0.1 peer-addr ::1
}

t_unknown_netns() {
	expect_error 1 'cannot open network namespace "qkd-no-such-ns"' \
		-n qkd-no-such-ns link show
}

t_without_the_module() {
	[ ! -d /sys/module/qkd ] ||
		fail "qkd is loaded on this host; this test needs it absent"
	expect_error 1 '^Error: qkd module not loaded$' link show
	expect_error 1 '^Error: qkd module not loaded$' -j link show
	expect_error 1 '^Error: qkd module not loaded$' link add a reqid 5 \
		rekey-bytes 16G cipher chacha20-poly1305 local-addr fe80::1 peer-addr fe80::2
	good_key_file >keys.txt
	expect_error 1 '^Error: qkd module not loaded$' key load a file keys.txt
	expect_error 1 '^Error: qkd module not loaded$' key load a <keys.txt
	expect_error 1 '^Error: qkd module not loaded$' key flush a dir in
	expect_error 1 '^Error: qkd module not loaded$' key export a dir out \
		keyring @u desc qkd:a
	expect_error 1 '^Error: qkd module not loaded$' stats
	expect_error 1 '^Error: qkd module not loaded$' -j monitor count 1
	expect_error 1 '^Error: qkd module not loaded$' sa show
	expect_error 1 '^Error: qkd module not loaded$' -j sa show a
	expect_error 1 '^Error: qkd module not loaded$' link rekey a
}

# A comment, a blank line and two keys of 256 bits.
good_key_file() {
	printf '# dc1, 2024-05-01\n\n'
	printf 'out 6f1c2a3e-0000-4000-8000-000000000001 %064d\n' 0
	printf 'in 6F1C2A3E-0000-4000-8000-000000000002 %064d\n' 1
}

t_key_usage_errors() {
	expect_error 2 'missing key command, try "qkdctl key help"' key
	expect_error 2 'unknown key command "take"' key take a dir out
	expect_error 2 'missing link NAME' key load
	expect_error 2 'missing link NAME' key flush
	expect_error 2 'missing link NAME' key export
	expect_error 2 'too long' key load aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
}

# Material on the command line would be in /proc/PID/cmdline for all to read.
t_key_load_takes_no_material_from_the_command_line() {
	expect_error 2 'unexpected "out" after NAME' \
		key load a out 6f1c2a3e-0000-4000-8000-000000000001 00
	expect_error 2 'missing PATH after "file"' key load a file
	expect_error 2 'unexpected "x" after PATH' key load a file keys.txt x
}

t_key_flush_usage_errors() {
	expect_error 2 'unexpected "in" after NAME' key flush a in
	expect_error 2 'missing value for "dir"' key flush a dir
	expect_error 2 'unknown dir "both"' key flush a dir both
	expect_error 2 'unexpected "x" after dir' key flush a dir in x
}

t_key_export_usage_errors() {
	expect_error 2 'missing dir' key export a keyring @u desc qkd:a
	expect_error 2 'missing keyring' key export a dir out desc qkd:a
	expect_error 2 'missing desc' key export a dir out keyring @u
	expect_error 2 'missing value for "desc"' key export a dir out keyring @u desc
	expect_error 2 'duplicate attribute "dir"' key export a dir out dir in
	expect_error 2 'unknown attribute "ring"' key export a ring @u
	expect_error 2 'unknown dir "up"' key export a dir up keyring @u desc qkd:a
	expect_error 2 'desc is too long' key export a dir out keyring @u \
		desc "qkd:$(printf '%0253d' 0)"
	for ring in @x -4 0 2147483648 u; do
		expect_error 2 "invalid keyring \"$ring\"" key export a dir out \
			keyring "$ring" desc qkd:a
	done
}

t_monitor_and_stats_usage_errors() {
	expect_error 2 'unknown argument "events"' monitor events
	expect_error 2 'missing value for "count"' monitor count
	expect_error 2 'invalid count "0"' monitor count 0
	expect_error 2 'invalid count "x"' monitor count x
	expect_error 2 'unexpected "2" after count' monitor count 1 2
	expect_error 2 'unexpected "all", try "qkdctl stats help"' stats all
}

t_link_rekey_usage_errors() {
	expect_error 2 'missing link NAME, try "qkdctl link help"' link rekey
	expect_error 2 'unexpected "now" after NAME' link rekey a now
	expect_error 2 'too long' link rekey aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
}

t_sa_usage_errors() {
	expect_error 2 'unknown sa command "flush", try "qkdctl sa help"' sa flush
	expect_error 2 'unexpected "b" after LINK' sa show a b
	expect_error 2 'unexpected "b" after LINK' sa list a b
	expect_error 2 'too long' sa show aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
}

# expect_bad_line L WHY LINE: a file whose line L is LINE (after a good
# key, a comment and a blank line) exits 1 naming line L and WHY. The
# parse comes before the socket, so no module is needed.
expect_bad_line() {
	local n=$1 why=$2 line=$3
	{ good_key_file; printf '%s\n' "$line"; } >bad.txt
	expect_error 1 "^Error: line $n: $why\$" key load a file bad.txt
	expect_error 1 "^Error: line $n: $why\$" key load a <bad.txt
}

t_key_file_malformed_line_exits_1_with_its_number() {
	local id=6f1c2a3e-0000-4000-8000-000000000009 hex
	hex=$(printf '%064d' 7)
	expect_bad_line 5 'the direction must be in or out' "both $id $hex"
	expect_bad_line 5 'missing key ID and key material' "out"
	expect_bad_line 5 'the key ID is not a UUID' "out 6f1c2a3e00004000800000000000000a $hex"
	expect_bad_line 5 'the key ID is not a UUID' "out ${id}0 $hex"
	expect_bad_line 5 'missing key material' "in $id"
	expect_bad_line 5 'key material must be an even number of hex digits' "in $id ${hex}0"
	expect_bad_line 5 'key material must be an even number of hex digits' "in $id ${hex%?}g"
	expect_bad_line 5 'key material longer than 512 bits' "in $id $hex$hex$hex"
	expect_bad_line 5 'unexpected text after the key material' "in $id $hex # note"
	expect_bad_line 5 'line too long' "in $id $(printf '%0600d' 0)"
}

t_key_file_error_never_quotes_the_material() {
	local secret=5ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7
	printf 'out %s\n' "$secret" >bad.txt
	expect_error 1 '^Error: line 1: ' key load a file bad.txt
	! grep -q 5ec7e7 err.txt || fail "the error quotes the key material"
}

t_key_file_that_cannot_be_read() {
	expect_error 1 '^Error: cannot open no-such-file: No such file or directory$' \
		key load a file no-such-file
}

tap_one "$@"
tap_test "qkdctl cli: help, -h, --help and link help exit 0 on stdout" t_help_exits_0_on_stdout
tap_test "qkdctl cli: an unknown command or option is a usage error" t_unknown_command_or_option
tap_test "qkdctl cli: link add, set or del without a name is a usage error" t_missing_link_name
tap_test "qkdctl cli: words after the name of link del or show are a usage error" t_words_after_the_name_of_del_or_show
tap_test "qkdctl cli: a name or SAE ID too long is a usage error" t_name_or_sae_id_too_long
tap_test "qkdctl cli: an unknown or read-only attribute is a usage error" t_unknown_or_read_only_attribute
tap_test "qkdctl cli: a missing or repeated value is a usage error" t_missing_or_duplicate_value
tap_test "qkdctl cli: a number that is not plain decimal is a usage error" t_number_not_decimal
tap_test "qkdctl cli: a number out of its range is a usage error" t_number_out_of_range
tap_test "qkdctl cli: an unknown mode, cipher, on-empty or consumer is a usage error" t_unknown_enum_word
tap_test "qkdctl cli: a bad or mixed-family address is a usage error" t_bad_address
tap_test "qkdctl cli: an unknown network namespace is an error" t_unknown_netns
tap_test "qkdctl cli: without the module, every request says so and exits 1" t_without_the_module
tap_test "qkdctl cli: key without a command or a link name is a usage error" t_key_usage_errors
tap_test "qkdctl cli: key load takes no key material from the command line" t_key_load_takes_no_material_from_the_command_line
tap_test "qkdctl cli: key flush with a bad dir is a usage error" t_key_flush_usage_errors
tap_test "qkdctl cli: key export without dir, keyring or desc, or with bad ones, is a usage error" t_key_export_usage_errors
tap_test "qkdctl cli: monitor and stats with bad arguments are usage errors" t_monitor_and_stats_usage_errors
tap_test "qkdctl cli: link rekey without exactly one short name is a usage error" t_link_rekey_usage_errors
tap_test "qkdctl cli: sa with an unknown command, extra words or a long name is a usage error" t_sa_usage_errors
tap_test "qkdctl cli: a malformed key file line exits 1 with its line number" t_key_file_malformed_line_exits_1_with_its_number
tap_test "qkdctl cli: a key file error never quotes the key material" t_key_file_error_never_quotes_the_material
tap_test "qkdctl cli: a key file that cannot be opened is an error" t_key_file_that_cannot_be_read
tap_done
