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
	for args in help -h --help "link help"; do
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
tap_done
