#!/bin/bash
# make bench's code, run small (tools/bench/vm-bench --quick) so that it
# cannot rot: every row is produced and well formed, the report writes its
# table and plot. Nothing here judges a figure: under TCG, and this small,
# they mean nothing. Runs in the test VM with qkd.ko loaded.
. "$(dirname "$0")/lib.sh"
REPO=$(cd "$(dirname "$0")/.." && pwd)

# has_rows PATTERN N: the quick run printed N rows matching PATTERN.
has_rows() {
	[ "$(grep -c "^bench|$1" "$BENCH_DIR/log")" = "$2" ] ||
		{ grep "^bench|" "$BENCH_DIR/log"; return 1; }
}

t_quick_run_exits_0() {
	cat "$BENCH_DIR/log"
	[ "$(cat "$BENCH_DIR/rc")" = 0 ]
}

t_rotation_rows() { has_rows '1 rotation|' 3; }
t_ingestion_rows() { has_rows '3 ingestion|' 7; }
t_economy_row() { has_rows '5 key economy|' 1; }
t_scale_rows() { has_rows '4 scale, 100 links|' 6; }
t_datapath_rows() { has_rows '2 data path|' 2; }

t_every_row_names_its_command() {
	! grep '^bench|' "$BENCH_DIR/log" | grep -v '|tools/vm/run --mem 4G -- tools/bench/vm-bench --quick --only [a-z]*$'
}

t_report_writes_table_and_plot() {
	run "$REPO/tools/bench/report" "$BENCH_DIR/log" "$BENCH_DIR/out"
	[ "$(grep -c '^| [0-9]\.[0-9]* |' "$BENCH_DIR/out/table.md")" = 19 ]
	grep -q '<svg' "$BENCH_DIR/out/plot.svg"
}

t_report_refuses_a_malformed_row() {
	{ cat "$BENCH_DIR/log"; echo 'bench|3 ingestion|broken|1 keys/s|x|not-a-number|-|-|cmd'; } >bad.log
	expect_status 1 "$REPO/tools/bench/report" bad.log out
}

tap_one "$@"
cd "$REPO"
BENCH_DIR=$(mktemp -d)
export BENCH_DIR
rc=0
tools/bench/vm-bench --quick >"$BENCH_DIR/log" 2>&1 || rc=$?
echo "$rc" >"$BENCH_DIR/rc"
tap_test "the quick bench run exits 0" t_quick_run_exits_0
tap_test "rotation: three rows (on request, at a soft lifetime, CPU), the module against strongSwan" t_rotation_rows
tap_test "ingestion: seven rows (three batch sizes, add_key, memcpy, netlink against add_key, memory per key)" t_ingestion_rows
tap_test "key economy: a row" t_economy_row
tap_test "scale: six rows (create, memory, idle CPU, dump, storm, storm under traffic)" t_scale_rows
tap_test "data path: two rows (the module's SAs, rotating every second)" t_datapath_rows
tap_test "every row names the command that reproduces it" t_every_row_names_its_command
tap_test "the report writes the Markdown table and the SVG plot" t_report_writes_table_and_plot
tap_test "the report refuses a malformed row" t_report_refuses_a_malformed_row
tap_done
