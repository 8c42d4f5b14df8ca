#!/bin/bash
# The libFuzzer targets of userspace/fuzz (built by `make -C userspace
# fuzz`), one TAP line each:
#
#   userspace/tests/fuzz.sh [--runs N | --time SECONDS] [TARGET...]
#
# --runs N (default 100000) is `make check`'s bounded run, tests/run's host
# test: each target starts from its committed corpus alone (new inputs go
# to a scratch folder, emptied first) with a fixed seed, so that every
# check runs the same inputs. --time SECONDS is `make fuzz`: a random seed,
# and the corpus grown in $BUILD/fuzz/corpus/TARGET, kept from one run to
# the next. TARGET is kme, msg, config, keyload or nlreply; all by default.
#
# A crash, a leak, a sanitizer report, a failed CHECK() or an input that
# takes more than 10 s fails the target: the end of libFuzzer's output is
# printed as TAP comments, and the input is kept in $BUILD/fuzz/artifacts
# (reproduce with: $BUILD/fuzz/fuzz_TARGET ARTIFACT).
#
# By hand, give a target a folder of its own first: libFuzzer writes the
# inputs it finds into the first folder it is given, and the committed
# corpora are to stay small (fuzz_TARGET SCRATCH userspace/fuzz/corpus/T).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-$PWD/build}
FUZZ=$BUILD/fuzz
CORPUS=userspace/fuzz/corpus

runs=100000
secs=
while [ $# -gt 0 ]; do
	case "$1" in
	--runs) runs=$2; shift 2 ;;
	--time) secs=$2; shift 2 ;;
	-*) echo "usage: $0 [--runs N | --time SECONDS] [TARGET...]" >&2; exit 2 ;;
	*) break ;;
	esac
done
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(kme msg config keyload nlreply)

# A key file reaches a second batch (256 lines) only past 27 KB.
max_len() {
	case "$1" in
	keyload) echo 32768 ;;
	*) echo 4096 ;;
	esac
}

mkdir -p "$FUZZ/artifacts" "$FUZZ/logs"
echo "TAP version 13"
n=0
failed=0
for t in "${targets[@]}"; do
	n=$((n + 1))
	bin=$FUZZ/fuzz_$t
	log=$FUZZ/logs/$t.log
	if [ -n "$secs" ]; then
		work=$FUZZ/corpus/$t
		mkdir -p "$work"
		how="-max_total_time=$secs"
		what="$secs s"
	else
		work=$FUZZ/check/$t
		rm -rf "$work"
		mkdir -p "$work"
		how="-runs=$runs -seed=${FUZZ_SEED:-1}"
		what="$runs runs"
	fi
	name="fuzz_$t: $what from $CORPUS/$t, no crash, leak or sanitizer report"
	if [ ! -x "$bin" ]; then
		echo "not ok $n $name"
		echo "#   $bin is missing: make -C userspace fuzz"
		failed=$((failed + 1))
		continue
	fi
	start=$SECONDS
	# shellcheck disable=SC2086
	"$bin" $how -timeout=10 -max_len="$(max_len "$t")" \
		-artifact_prefix="$FUZZ/artifacts/$t-" "$work" "$CORPUS/$t" \
		>"$log" 2>&1
	rc=$?
	if [ "$rc" = 0 ]; then
		echo "ok $n $name ($((SECONDS - start)) s)"
	else
		echo "not ok $n $name (exit $rc)"
		tail -n 40 "$log" | sed 's/^/#   /'
		failed=$((failed + 1))
	fi
done
echo "1..$n"
[ "$failed" = 0 ]
