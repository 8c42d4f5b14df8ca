#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Host test of qkdctl's command line: usage errors exit 2 with one line on
# stderr and never reach the kernel, help exits 0 on stdout. Needs no
# module; where the module matters, the test expects it to be absent.
set -u
QKDCTL=${QKDCTL:-$(dirname "$0")/../../build/bin/qkdctl}
passed=0
failed=0

# expect STATUS STDERR-PATTERN ARGS...: exit status, and a one-line stderr
# matching the grep -E pattern (empty pattern: stderr must be empty).
expect() {
	want=$1 pattern=$2
	shift 2
	out=$("$QKDCTL" "$@" 2>&1 >/dev/null)
	got=$?
	ok=0
	if [ "$got" -eq "$want" ]; then
		if [ -z "$pattern" ]; then
			[ -z "$out" ] && ok=1
		elif [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] &&
		     printf '%s\n' "$out" | grep -Eq -- "$pattern"; then
			ok=1
		fi
	fi
	if [ "$ok" -eq 1 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: qkdctl $*: status $got (want $want), stderr: $out" >&2
	fi
}

expect 0 '' help
expect 0 '' -h
expect 0 '' --help
expect 0 '' link help
expect 2 'unknown command "foo", try "qkdctl help"' foo
expect 2 'unknown option' -x link
expect 2 'needs an argument' -n
expect 2 'unknown link command "up"' link up
expect 2 'missing link NAME' link add
expect 2 'missing link NAME' link set
expect 2 'missing link NAME' link del
expect 2 'unexpected "b"' link del a b
expect 2 'unexpected "b"' link show a b
expect 2 'too long' link add aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
expect 2 'too long' link add a local-sae "$(printf '%0129d' 0)"
expect 2 'unknown attribute "colour"' link add a colour red
expect 2 'attribute "id" cannot be set' link set a id 3
expect 2 'attribute "name" cannot be set' link set a name b
expect 2 'missing value for "reqid"' link add a reqid
expect 2 'duplicate attribute "reqid"' link add a reqid 1 reqid 2
expect 2 'invalid reqid "-1"' link add a reqid -1
expect 2 'invalid reqid "1x"' link add a reqid 1x
expect 2 'invalid reqid ""' link add a reqid ''
expect 2 'reqid "4294967296" is out of range' link add a reqid 4294967296
expect 2 'key-bits "65536" is out of range' link add a key-bits 65536
expect 2 'rx-window "256" is out of range' link add a rx-window 256
expect 2 'invalid rekey-packets "1K"' link add a rekey-packets 1K
expect 2 'invalid rekey-bytes "1T"' link add a rekey-bytes 1T
expect 2 'unknown mode "tunnell"' link add a mode tunnell
expect 2 'unknown cipher "aes"' link add a cipher aes
expect 2 'unknown on-empty "drop"' link add a on-empty drop
expect 2 'unknown consumer "macsec"' link add a consumer macsec
expect 2 'invalid local-addr "10.0.0"' link add a local-addr 10.0.0
expect 2 'must both be IPv4 or both IPv6' link add a local-addr 10.0.0.1 peer-addr ::1
expect 1 'cannot open network namespace "qkd-no-such-ns"' -n qkd-no-such-ns link show

if [ ! -d /sys/module/qkd ]; then
	expect 1 '^Error: qkd module not loaded$' link show
	expect 1 '^Error: qkd module not loaded$' -j link show
	expect 1 '^Error: qkd module not loaded$' link add a reqid 5 \
		rekey-bytes 16G cipher chacha20-poly1305 local-addr fe80::1 peer-addr fe80::2
fi

echo "cli.sh: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
