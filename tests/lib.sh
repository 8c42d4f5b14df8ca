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
TAP_QUEUE=()
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

# tap_exec FN: runs test FN as tap_test does, its output to stdout.
tap_exec() {
	if [ "$TAP_NETNS" = 1 ]; then
		unshare --net bash "$TAP_SCRIPT" --one "$1" 2>&1
	else
		bash "$TAP_SCRIPT" --one "$1" 2>&1
	fi
}

# tap_result NAME STATUS LOG SECS: the TAP lines of one test that ran.
tap_result() {
	[ "$TAP_N" != 0 ] || echo "TAP version 13"
	TAP_N=$((TAP_N + 1))
	if [ "$2" = 0 ]; then
		echo "ok $TAP_N $1"
	else
		echo "not ok $TAP_N $1"
		sed 's/^/#   /' "$3"
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
	echo "# time: $4 s"
}

# tap_test NAME FN [VAR=VALUE]: test FN, with VAR=VALUE in its
# environment if given. With TAP_JOBS=N, set by a script whose tests share
# nothing but the module (each in namespaces of its own: TAP_NETNS=1, or
# TOPO, which tap_test then sets apart for each), it only queues the test,
# and tap_done runs the queue N at a time, printing the results in order:
# under TCG the VM's two CPUs then run two tests at once.
tap_test() {
	local log rc t0=$SECONDS

	if [ "${TAP_JOBS:-1}" -gt 1 ]; then
		TAP_QUEUE+=("$1" "$2" "${3-}")
		return
	fi
	log=$(mktemp)
	(
		[ -z "${3-}" ] || export "$3"
		tap_exec "$2"
	) >"$log"
	rc=$?
	tap_result "$1" "$rc" "$log" $((SECONDS - t0))
	rm -f "$log"
}

# Runs what tap_test queued, TAP_JOBS at a time.
tap_run_queue() {
	local dir w i n=$((${#TAP_QUEUE[@]} / 3)) rc secs

	[ "$n" != 0 ] || return 0
	dir=$(mktemp -d)
	for ((w = 0; w < TAP_JOBS; w++)); do
		(
			export TOPO="${TOPO:-qkd}-j$w"
			for ((i = w; i < n; i += TAP_JOBS)); do
				t0=$SECONDS
				(
					a=${TAP_QUEUE[3 * i + 2]}
					[ -z "$a" ] || export "$a"
					tap_exec "${TAP_QUEUE[3 * i + 1]}"
				) >"$dir/$i.log"
				echo "$? $((SECONDS - t0))" >"$dir/$i.rc"
			done
		) &
	done
	wait
	for ((i = 0; i < n; i++)); do
		read -r rc secs <"$dir/$i.rc" || rc=1 secs=0
		tap_result "${TAP_QUEUE[3 * i]}" "$rc" "$dir/$i.log" "$secs"
	done
	rm -rf "$dir"
	TAP_QUEUE=()
}

tap_done() {
	tap_run_queue
	echo "1..$TAP_N"
	[ "$TAP_FAILED" = 0 ]
}
