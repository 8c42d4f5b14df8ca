#!/bin/bash
# Bench row 4, scale: tools/bench/scale (see there) at 1,000 and 10,000
# links; --quick: 100 links, one short window, for make check.
set -euo pipefail
BIN=${BUILD:-$PWD/build}/bench-bin
if [ "${1-}" = --quick ]; then
	"$BIN/scale" --links 100 --window 1 --reps 1
else
	"$BIN/scale" --links 1000 --window 3 --reps 3
	"$BIN/scale" --links 10000 --window 3 --reps 3
fi
