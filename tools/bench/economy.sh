#!/bin/bash
# Bench row 5, key economy: QKD key bits consumed per rotation and
# direction against the cipher's key size, one key per SA and direction
# being the ideal. Two gateways (tests/topo.sh) with a ping stream between
# their LANs; each gateway rekeys its outbound SA in turn, ROT times, and
# after each the peer's window must slide onto the new SA. Keys consumed
# are read from the pool counters (used + discarded) of the sending side's
# out pool and the receiving side's in pool, which hold the same keys.
# Runs in the VM with qkd.ko loaded.
#
# usage: economy.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/../.."
TOPO=bench-econ
. tests/topo.sh
# || true: set -e is off in the function then (its namespaces may be gone).
trap 'topo_down || true' EXIT
cd "$(mktemp -d)"

rot=10
# The test key stream (tests/topo.sh) is of 256-bit keys.
ciphers=("aes-gcm-256 256" "aes-gcm-128 256" "chacha20-poly1305 256")
if [ "${1-}" = --quick ]; then
	rot=2
	ciphers=("aes-gcm-256 256")
fi

# pool GW DIR: "used discarded" of GW's pool DIR.
pool() {
	on "$1" qkdctl -j link show dc1 |
		jq -r -s --arg d "$2" '[.. | objects | select(has("pool"))][0].pool[$d] |
			"\(.used) \((."discarded-flush") + (."discarded-expired"))"'
}

# consumed GW DIR: used + discarded of GW's pool DIR.
consumed() {
	local u d
	read -r u d < <(pool "$1" "$2")
	echo $((u + d))
}

# slid GW N: GW's in pool has consumed N keys.
slid() {
	[ "$(consumed "$1" in)" -ge "$2" ]
}

economy() {
	local cipher=$1 bits=$2 cbits a_out b_in b_out a_in k t0 lost sent
	local a_out0 b_in0 b_out0 a_in0

	case "$cipher" in
	aes-gcm-128) cbits=128 ;;
	*) cbits=256 ;;
	esac
	gateways cipher "$cipher" key-bits "$bits"
	feed 1 $((rot + 8))
	wait_ready gw-a
	wait_ready gw-b
	# Not through on(): a background function's shell ignores SIGINT, and
	# ping prints its summary on SIGINT alone; -w bounds it all the same.
	ip netns exec "$(ns lan-a)" ping -q -i 0.05 -W 1 -w 600 203.0.113.10 >ping.txt 2>&1 &
	local ping=$!
	sleep 1
	a_out0=$(consumed gw-a out) b_in0=$(consumed gw-b in)
	b_out0=$(consumed gw-b out) a_in0=$(consumed gw-a in)
	for ((k = 1; k <= rot; k++)); do
		on gw-a qkdctl link rekey dc1
		t0=$SECONDS
		until slid gw-b $((b_in0 + k)); do
			[ $((SECONDS - t0)) -lt 15 ] || { echo "economy: gw-b did not slide" >&2; break; }
			sleep 0.2
		done
		on gw-b qkdctl link rekey dc1
		t0=$SECONDS
		until slid gw-a $((a_in0 + k)); do
			[ $((SECONDS - t0)) -lt 15 ] || { echo "economy: gw-a did not slide" >&2; break; }
			sleep 0.2
		done
	done
	sleep 1
	kill -INT "$ping"
	wait "$ping" || true
	a_out=$(($(consumed gw-a out) - a_out0)) b_in=$(($(consumed gw-b in) - b_in0))
	b_out=$(($(consumed gw-b out) - b_out0)) a_in=$(($(consumed gw-a in) - a_in0))
	sent=$(awk '/transmitted/ { print $1 }' ping.txt)
	lost=$(awk '/transmitted/ { print $1 - $4 }' ping.txt)
	# A key is consumed once whichever side's pool counts it: the larger
	# of the two counts of a direction is what the QKD link paid.
	topo_down
	local ab=$((a_out > b_in ? a_out : b_in)) ba=$((b_out > a_in ? b_out : a_in))
	local per
	per=$(echo "scale=3; ($ab + $ba) * $bits / (2 * $rot)" | bc)
	echo "bench|5 key economy|$cipher, $bits-bit QKD keys: bits per rotation and direction|$per bits|cipher key $cbits bits|$(echo "scale=3; $per / $cbits" | bc)|exact counts|$rot rotations each way; a->b out $a_out in $b_in, b->a out $b_out in $a_in keys; pings lost $lost of $sent"
}

for c in "${ciphers[@]}"; do
	# shellcheck disable=SC2086 # cipher and key bits
	economy $c
done
