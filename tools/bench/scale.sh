#!/bin/bash
# Bench row 4, scale: tools/bench/scale (see there) at 1,000 and 10,000
# links, then the rotation storm under traffic (tools/bench/storm.sh) at
# both; --quick: 100 links, one short window, for make check.
set -euo pipefail
BIN=${BUILD:-$PWD/build}/bench-bin
if [ "${1-}" = --quick ]; then
	"$BIN/scale" --links 100 --window 1 --reps 1
	bash "$(dirname "$0")/storm.sh" 100
else
	"$BIN/scale" --links 1000 --window 3 --reps 3
	"$BIN/scale" --links 10000 --window 3 --reps 3
	bash "$(dirname "$0")/storm.sh" 1000 10000
fi
