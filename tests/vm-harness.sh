#!/bin/bash
# Self-test of the VM harness, tools/vm/run, run on the host: it boots the
# test VM a few times and reports one behaviour per test, in TAP. Exits 0 iff
# every test passed.
#
# Each boot costs several seconds under TCG, so one boot ("facts") runs a
# command that prints several facts about its environment, and separate
# tests check one fact each.
set -u

REPO=$(cd "$(dirname "$0")/.." && pwd)
VMRUN=$REPO/tools/vm/run
BUILD=${BUILD:-$REPO/build}
TIMEOUT=180	# per boot; a healthy one takes well under 30 s

# Scratch space under build/ rather than /tmp: the VM mounts a fresh tmpfs
# on /tmp, so only this way do the host and the VM see the same directory.
mkdir -p "$BUILD/bin"
T=$(mktemp -d "$BUILD/vm-harness.XXXXXX")
HELLO=vm-harness-hello-$$
cleanup() {
	rm -rf "$T"
	rm -f "$BUILD/bin/$HELLO"
}
trap cleanup EXIT

n=0
failed=0
# report STATUS NAME [FILE...]: one TAP line; on failure, FILEs as comments.
report() {
	local status=$1 name=$2
	shift 2
	n=$((n + 1))
	if [ "$status" = 0 ]; then
		echo "ok $n - $name"
	else
		failed=$((failed + 1))
		echo "not ok $n - $name"
		for f in "$@"; do
			echo "# --- $(basename "$f"):"
			tail -n 15 "$f" | sed 's/^/#   /'
		done
	fi
}
# check NAME COMMAND...: a test that passes if COMMAND succeeds.
check() {
	local name=$1
	shift
	"$@"
	report $? "$name" "$T/out" "$T/err"
}
# vm NAME ARGS...: boots the VM, output in $T/NAME.out and $T/NAME.err,
# exit status in $rc; $T/out and $T/err point at the latest.
vm() {
	local name=$1
	shift
	"$VMRUN" --timeout "$TIMEOUT" "$@" >"$T/$name.out" 2>"$T/$name.err"
	rc=$?
	ln -sf "$name.out" "$T/out"
	ln -sf "$name.err" "$T/err"
}
has_line() { grep -qxF -- "$2" "$T/$1"; }
contains() { [[ $(cat "$T/$1") == *"$2"* ]]; }

echo "TAP version 13"
echo "1..19"

# --- exit status

vm true -- true
check "run -- true exits 0 (and the clean boot log passes the check)" [ "$rc" = 0 ]
vm false -- false
check "run -- false exits 1" [ "$rc" = 1 ]
vm exit7 -- sh -c 'exit 7'
check "run -- sh -c 'exit 7' exits 7" [ "$rc" = 7 ]

# --- the command's environment, seen in one boot

cat >"$BUILD/bin/$HELLO" <<'EOF'
#!/bin/sh
echo "hello from build/bin"
EOF
chmod +x "$BUILD/bin/$HELLO"
cwd="$T/a dir with 'quotes' and spaces"
mkdir -p "$cwd"
# shellcheck disable=SC2016 # literal $HOME on purpose
args=('a b' "it's" '"double"' '' '$HOME' '*' 'back\slash' 'two
lines' 'newline at the end
' '-x')

# Prints a host timestamp before each line, to see that output is live.
stamp_lines() {
	while IFS= read -r line; do
		printf '%s %s\n' "$(date +%s.%N)" "$line"
	done
}
# shellcheck disable=SC2016 # expanded in the VM
facts='
	echo early
	printf "args:"; printf "<%s>" "$@"; echo
	echo "cwd:$PWD"
	echo "pwd:$(pwd -P)"
	echo "path:$PATH"
	echo "hello:$('"$HELLO"')"
	echo "net:$(ls /sys/class/net | tr "\n" " ")"
	touch overlay-probe && echo "write:ok"
	touch "/run/vm/hostroot$PWD/ro-probe" 2>&1 | grep -q "Read-only file system" && echo "hostroot:read-only"
	echo "stdin:$(wc -c)"
	echo "to stderr" >&2
	sleep 3
	echo late
'
(cd "$cwd" && "$VMRUN" --timeout "$TIMEOUT" -- sh -c "$facts" sh "${args[@]}" 2>"$T/facts.err" |
	stamp_lines >"$T/facts.stamped"; exit "${PIPESTATUS[0]}")
rc=$?
cut -d' ' -f2- "$T/facts.stamped" >"$T/facts.out"
ln -sf facts.out "$T/out"
ln -sf facts.err "$T/err"

expected="args:$(printf '<%s>' "${args[@]}")"
check "arguments with spaces, quotes and newlines arrive intact" contains facts.out "$expected"
check "the command runs in the host's current directory" has_line facts.out "cwd:$cwd"
check "\$BUILD/bin comes first on PATH" grep -q "^path:$BUILD/bin:" "$T/facts.out"
check "programs in \$BUILD/bin run by name" has_line facts.out "hello:hello from build/bin"
check "the only network device is lo" has_line facts.out "net:lo "
check "writes to the host's paths succeed in the VM" has_line facts.out "write:ok"
check "writes in the VM do not reach the host" [ ! -e "$cwd/overlay-probe" ]
check "the host's root file system is read-only in the VM" has_line facts.out "hostroot:read-only"
check "stdin is /dev/null" has_line facts.out "stdin:0"
stderr_apart() { has_line facts.err "to stderr" && ! grep -q "to stderr" "$T/facts.out"; }
check "stderr goes to stderr, stdout to stdout" stderr_apart
# "early" must arrive on the host well before "late", printed 3 s after it.
output_live() {
	awk '$2 == "early" { e = $1 } $2 == "late" { l = $1 }
		END { exit !(e > 0 && l - e >= 2) }' "$T/facts.stamped"
}
check "output reaches the host while the command runs" output_live

# --- failures

# failed_with STATUS TEXT: the last run exited STATUS and said TEXT on stderr.
failed_with() { [ "$rc" = "$1" ] && grep -qF -- "$2" "$T/err"; }

vm warning -- sh -c 'echo "WARNING: test" >/dev/kmsg'
warning_reported() {
	failed_with 1 "WARNING: test" && grep -q "^vm: kernel log check failed:" "$T/err"
}
check "a WARNING in the kernel log fails the run and is printed" warning_reported
vm panic -- sh -c 'echo 1 >/proc/sys/kernel/sysrq; echo c >/proc/sysrq-trigger'
check "a kernel panic exits 125 and shows the console log" failed_with 125 "Kernel panic"
vm timeout --timeout 3 -- sleep 60
check "--timeout stops the VM and exits 124" failed_with 124 "timed out"
vm usage --no-such-option -- true
check "a usage error exits 2" failed_with 2 "usage:"
# An empty BUILD has no debug kernel, whether or not the real one has.
BUILD=$T/empty vm debug --debug -- true
check "--debug without a debug kernel exits 2" failed_with 2 "needs the debug kernel"

[ "$failed" = 0 ]
