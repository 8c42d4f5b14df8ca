# Shell helpers for QuantumNet's shell tests: TAP output, one behaviour per
# test. A test is a function; tap_test runs it with `set -e`, so the first
# failing command fails it, and prints its output as TAP comments. With
# TAP_NETNS=1 each test runs in a network namespace of its own (the script
# runs itself again under `unshare --net`).
#
#   . "$(dirname "$0")/lib.sh"
#   t_something() { run qkdctl link add a; }
#   tap_one "$@"
#   tap_test "what the user relies on" t_something
#   tap_done

TAP_N=0
TAP_FAILED=0
TAP_NETNS=${TAP_NETNS:-0}
TAP_SCRIPT=$(realpath "$0")

# Echoes what it runs, so that a failure's log reads like a transcript. The
# echo goes to fd 9, the test's log, so that neither the command's stdout
# nor a redirection of the caller's stderr catches it.
run() {
	echo "+ $*" >&9
	"$@"
}

# expect_status STATUS CMD...: CMD must exit with STATUS.
expect_status() {
	local want=$1 rc=0
	shift
	echo "+ $* (expect exit $want)" >&9
	"$@" || rc=$?
	if [ "$rc" != "$want" ]; then
		echo "exit status $rc, expected $want" >&9
		return 1
	fi
}

# wait_until SECS CMD...: polls CMD every 0.1 s until it succeeds; fails
# (showing CMD's last output) if it has not within SECS seconds.
wait_until() {
	local deadline=$((SECONDS + $1))
	shift
	echo "+ wait until: $*" >&9
	until "$@" >/dev/null 2>&1; do
		if [ $SECONDS -ge $deadline ]; then
			echo "still not true after the deadline: $*" >&9
			"$@" >&9 2>&1 || true
			return 1
		fi
		sleep 0.1
	done
}

fail() {
	echo "FAIL: $*"
	return 1
}

# When the script is run again for one test: run it and exit.
tap_one() {
	[ "${1:-}" = --one ] || return 0
	exec 9>&2
	cd "$(mktemp -d)"
	set -e
	"$2"
	exit 0
}

tap_test() {
	local name=$1 fn=$2 log rc t0=$SECONDS
	[ "$TAP_N" != 0 ] || echo "TAP version 13"
	TAP_N=$((TAP_N + 1))
	log=$(mktemp)
	if [ "$TAP_NETNS" = 1 ]; then
		unshare --net bash "$TAP_SCRIPT" --one "$fn" >"$log" 2>&1
	else
		bash "$TAP_SCRIPT" --one "$fn" >"$log" 2>&1
	fi
	rc=$?
	if [ "$rc" = 0 ]; then
		echo "ok $TAP_N $name"
	else
		echo "not ok $TAP_N $name"
		sed 's/^/#   /' "$log"
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
	echo "# time: $((SECONDS - t0)) s"
	rm -f "$log"
}

tap_done() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" = 0 ]
}
