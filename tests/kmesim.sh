#!/bin/bash
# kmesim, the ETSI GS QKD 014 KME pair simulator, as SAEs (and qkdd's own
# tests) rely on it: KME A at $A serves the master SAE sae-a, KME B at $B
# the slave SAE sae-b, over HTTPS with client certificates from
# tools/kmesim/mkcerts. Needs no module: `make check` runs it on the host
# (forty times faster than in the test VM, where it runs too); with
# TAP_NETNS=1 every test runs in a network namespace of its own.
. "$(dirname "$0")/lib.sh"

TOP=$(realpath "$(dirname "$0")/..")
KMESIM=${KMESIM:-$TOP/build/bin/kmesim}
MKCERTS=$TOP/tools/kmesim/mkcerts
UUID_V4='^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'

kmesim_stop() {
	local rc=$?

	if [ -n "${KMESIM_PID:-}" ] && kill -0 "$KMESIM_PID" 2>/dev/null; then
		kill -TERM "$KMESIM_PID"
		wait "$KMESIM_PID" || true
	fi
	if [ "$rc" != 0 ] && [ -f kmesim.log ]; then
		echo "kmesim's log:"
		cat kmesim.log
	fi
}

# kmesim_start ARGS...: starts kmesim with the test certificates and waits
# for its "listening a=HOST:PORT b=HOST:PORT" line (read from a FIFO with a
# deadline, no fixed sleep); sets A and B. Stopped when the test ends.
kmesim_start() {
	local line

	# A fresh network namespace has its loopback down.
	ip link show lo | grep -q '[<,]UP[,>]' || run ip link set lo up
	mkfifo kmesim.out
	echo "+ kmesim $*" >&9
	"$KMESIM" --ca "$CERTS/ca.pem" --cert-a "$CERTS/kme-a.pem" \
		--key-a "$CERTS/kme-a.key" --cert-b "$CERTS/kme-b.pem" \
		--key-b "$CERTS/kme-b.key" "$@" >kmesim.out 2>kmesim.log &
	KMESIM_PID=$!
	trap kmesim_stop EXIT
	exec 3<kmesim.out
	read -t 20 -r line <&3 || fail "kmesim did not start"
	echo "$line"
	A=${line#listening a=}
	A=${A%% *}
	B=${line##* b=}
}

# call a|b SAE|none PATH [CURL_ARGS...]: prints the HTTP status; the body
# goes to the file body.
call() {
	local side=$1 sae=$2 path=$3 addr=$A
	local id=()

	shift 3
	[ "$side" = a ] || addr=$B
	[ "$sae" = none ] || id=(--cert "$CERTS/$sae.pem" --key "$CERTS/$sae.key")
	run curl -sS --cacert "$CERTS/ca.pem" "${id[@]}" -o body \
		-w '%{http_code}' "$@" "https://$addr$path"
}

# expect_http CODE a|b SAE PATH [CURL_ARGS...]: the call answers CODE; an
# error (4xx, 5xx) comes with the standard's {"message": "..."}.
expect_http() {
	local want=$1 got

	shift
	got=$(call "$@")
	cat body
	echo
	[ "$got" = "$want" ] || fail "HTTP $got, expected $want"
	if [ "$want" -ge 400 ]; then
		jq -e '.message | type == "string" and length > 0' body >/dev/null
	fi
}

# enc a|b NUMBER SIZE: enc_keys for sae-a, the container into enc.json.
enc() {
	expect_http 200 a sae-a "/api/v1/keys/sae-b/enc_keys?number=$1&size=$2"
	cp body enc.json
}

# The keys of a container, one "ID BASE64" line each, sorted.
key_lines() {
	jq -r '.keys[] | "\(.key_ID) \(.key)"' "$1" | sort
}

# every_key FILE BYTES: every key is a v4 UUID and BYTES of base64.
every_key() {
	local id key

	jq -e --arg re "$UUID_V4" 'all(.keys[]; .key_ID | test($re))' "$1" >/dev/null ||
		fail "a key_ID is not a v4 UUID"
	while read -r id key; do
		[ "$(printf %s "$key" | base64 -d | wc -c)" = "$2" ] ||
			fail "key $id is not $2 bytes"
	done < <(key_lines "$1")
}

t_status_at_kme_a_and_b_gives_every_field() {
	kmesim_start --kme-a-id KME-Bristol-1 --kme-b-id KME-Bristol-2 \
		--rate 1 --initial-keys 7 --max-keys 100 --max-keys-per-request 16
	expect_http 200 a sae-a /api/v1/keys/sae-b/status
	jq -e '.source_KME_ID == "KME-Bristol-1" and .target_KME_ID == "KME-Bristol-2" and
		.master_SAE_ID == "sae-a" and .slave_SAE_ID == "sae-b" and
		.key_size == 256 and .stored_key_count == 7 and .max_key_count == 100 and
		.max_key_per_request == 16 and .max_key_size == 1024 and
		.min_key_size == 64 and .max_SAE_ID_count == 0' body
	expect_http 200 b sae-b /api/v1/keys/sae-a/status
	jq -e '.source_KME_ID == "KME-Bristol-2" and .target_KME_ID == "KME-Bristol-1" and
		.master_SAE_ID == "sae-a" and .slave_SAE_ID == "sae-b" and
		.stored_key_count == 7' body
}

t_enc_keys_get_gives_n_keys_of_the_size_asked() {
	kmesim_start --unthrottled
	enc 3 512
	jq -e '.keys | length == 3' enc.json
	every_key enc.json 64
	[ "$(jq -r '.keys[].key_ID' enc.json | sort -u | wc -l)" = 3 ]
	expect_http 200 a sae-a /api/v1/keys/sae-b/enc_keys
	jq -e '.keys | length == 1' body
	every_key body 32
}

t_enc_keys_post_gives_n_keys_of_the_size_asked() {
	kmesim_start --unthrottled
	expect_http 200 a sae-a /api/v1/keys/sae-b/enc_keys --json '{"number":4,"size":128}'
	jq -e '.keys | length == 4' body
	every_key body 16
	expect_http 200 a sae-a /api/v1/keys/sae-b/enc_keys --json '{}'
	jq -e '.keys | length == 1' body
	every_key body 32
}

t_dec_keys_post_gives_the_slave_the_same_keys() {
	kmesim_start --unthrottled
	enc 5 256
	jq -c '{key_IDs: [.keys[] | {key_ID}]}' enc.json >ids.json
	expect_http 200 b sae-b /api/v1/keys/sae-a/dec_keys --json @ids.json
	every_key body 32
	diff <(key_lines enc.json) <(key_lines body)
}

t_dec_keys_get_gives_the_slave_the_same_key() {
	kmesim_start --unthrottled
	enc 2 1024
	for id in $(jq -r '.keys[].key_ID' enc.json); do
		expect_http 200 b sae-b "/api/v1/keys/sae-a/dec_keys?key_ID=$id"
		jq -e --arg id "$id" '.keys | length == 1 and .[0].key_ID == $id' body
		[ "$(jq -r .keys[0].key body)" = \
		  "$(jq -r --arg id "$id" '.keys[] | select(.key_ID == $id) | .key' enc.json)" ]
	done
}

t_a_key_goes_to_the_slave_once() {
	kmesim_start --unthrottled
	enc 2 256
	id=$(jq -r '.keys[0].key_ID' enc.json)
	expect_http 200 b sae-b "/api/v1/keys/sae-a/dec_keys?key_ID=$id"
	expect_http 400 b sae-b "/api/v1/keys/sae-a/dec_keys?key_ID=$id"
	grep -q unknown body
	# All or nothing: a request naming a claimed key gives no key at all.
	id2=$(jq -r '.keys[1].key_ID' enc.json)
	jq -n --arg a "$id2" --arg b "$id" '{key_IDs: [{key_ID: $a}, {key_ID: $b}]}' >ids.json
	expect_http 400 b sae-b /api/v1/keys/sae-a/dec_keys --json @ids.json
	expect_http 200 b sae-b "/api/v1/keys/sae-a/dec_keys?key_ID=$id2"
}

t_a_request_without_client_certificate_is_refused() {
	kmesim_start --unthrottled
	expect_http 401 a none /api/v1/keys/sae-b/status
	grep -q 'client certificate is required' body
	expect_http 401 b none /api/v1/keys/sae-a/dec_keys?key_ID=6f1c2a3e-0000-4000-8000-000000000001
}

t_a_certificate_from_another_ca_is_refused() {
	kmesim_start --unthrottled
	# foreign.pem says CN=sae-a, but its CA is not kmesim's.
	expect_http 401 a foreign /api/v1/keys/sae-b/enc_keys
	grep -q 'client certificate rejected' body
	! jq -e .keys body >/dev/null
}

t_a_server_certificate_is_no_client_certificate() {
	kmesim_start --unthrottled
	expect_http 401 a kme-a /api/v1/keys/sae-b/status
	grep -q 'client certificate rejected' body
}

t_an_unknown_sae_gets_401() {
	kmesim_start --unthrottled
	expect_http 401 a unknown-sae /api/v1/keys/sae-b/status
	grep -q "SAE 'sae-unknown' is not known" body
	expect_http 401 a unknown-sae /api/v1/keys/sae-b/enc_keys
}

t_master_cannot_decrypt_and_slave_cannot_encrypt() {
	kmesim_start --unthrottled
	enc 1 256
	id=$(jq -r '.keys[0].key_ID' enc.json)
	expect_http 401 a sae-a "/api/v1/keys/sae-b/dec_keys?key_ID=$id"
	expect_http 401 b sae-a "/api/v1/keys/sae-b/dec_keys?key_ID=$id"
	expect_http 401 b sae-b /api/v1/keys/sae-a/enc_keys
	expect_http 401 a sae-b /api/v1/keys/sae-a/enc_keys
	# Nor may either ask about a pair the other way round.
	expect_http 401 a sae-b /api/v1/keys/sae-a/status
	expect_http 401 b sae-a /api/v1/keys/sae-b/status
	# The key is still there for the slave.
	expect_http 200 b sae-b "/api/v1/keys/sae-a/dec_keys?key_ID=$id"
}

t_number_above_max_key_per_request_is_400() {
	kmesim_start --unthrottled --max-keys-per-request 4
	expect_http 200 a sae-a '/api/v1/keys/sae-b/enc_keys?number=4'
	expect_http 400 a sae-a '/api/v1/keys/sae-b/enc_keys?number=5'
	grep -q max_key_per_request body
	expect_http 400 a sae-a /api/v1/keys/sae-b/enc_keys --json '{"number":5}'
}

t_bad_requests_are_400() {
	kmesim_start --unthrottled
	local p=/api/v1/keys/sae-b/enc_keys
	expect_http 400 a sae-a "$p?size=100"	# not a multiple of 8
	expect_http 400 a sae-a "$p?size=56"	# below min_key_size
	expect_http 400 a sae-a "$p?size=1032"	# above max_key_size
	expect_http 400 a sae-a "$p?number=0"
	expect_http 400 a sae-a "$p?number=two"
	expect_http 400 a sae-a "$p?colour=blue"
	expect_http 400 a sae-a "$p" --json '{"number":'
	expect_http 400 a sae-a "$p" --json '[1]'
	expect_http 400 a sae-a "$p" --json '{"number":"1"}'
	expect_http 400 a sae-a "$p" --json '{"additional_slave_SAE_IDs":["sae-c"]}'
	expect_http 400 a sae-a "$p" --json '{"extension_mandatory":[{"x":1}]}'
	p=/api/v1/keys/sae-a/dec_keys
	expect_http 400 b sae-b "$p?key_ID=6f1c2a3e-0000-4000-8000-000000000001"
	expect_http 400 b sae-b "$p?key_ID=not-a-uuid"
	expect_http 400 b sae-b "$p" --json '{"key_IDs":[]}'
	expect_http 400 b sae-b "$p" --json '{"key_IDs":[{"key":"x"}]}'
}

t_unknown_paths_are_404() {
	kmesim_start --unthrottled
	expect_http 404 a sae-a /api/v1/keys/sae-b/keys
	expect_http 404 a sae-a /api/v2/keys/sae-b/status
	expect_http 404 b sae-b /
}

t_an_exhausted_store_gives_503() {
	kmesim_start --unthrottled --max-keys 4
	expect_http 503 a sae-a '/api/v1/keys/sae-b/enc_keys?number=5'
	grep -q 'not enough keys' body
	expect_http 200 a sae-a /api/v1/keys/sae-b/status
	jq -e '.stored_key_count == 4' body
}

t_a_throttled_store_runs_dry_and_gives_503() {
	# One key per 256 s: nothing new arrives during the test.
	kmesim_start --rate 1 --initial-keys 3 --max-keys 10
	enc 3 256
	expect_http 503 a sae-a /api/v1/keys/sae-b/enc_keys
	expect_http 200 a sae-a /api/v1/keys/sae-b/status
	jq -e '.stored_key_count == 0' body
}

t_a_large_key_takes_several_stored_keys() {
	kmesim_start --rate 1 --initial-keys 5 --max-keys 10
	enc 2 512
	every_key enc.json 64
	expect_http 200 a sae-a /api/v1/keys/sae-b/status
	jq -e '.stored_key_count == 1' body
	expect_http 503 a sae-a '/api/v1/keys/sae-b/enc_keys?size=264'
	enc 1 64
}

# 2560 bit/s of 256-bit keys: 10 keys a second. The store must grow, and
# never beyond what the rate allows since before kmesim started.
t_the_key_rate_is_honoured() {
	local start now n=0 most deadline=$((SECONDS + 30))

	start=$(date +%s%N)
	kmesim_start --rate 2560 --max-keys 1000
	while [ "$n" -lt 5 ]; do
		[ $SECONDS -lt $deadline ] || fail "only $n keys after 30 s"
		expect_http 200 a sae-a /api/v1/keys/sae-b/status >/dev/null
		now=$(date +%s%N)
		n=$(jq .stored_key_count body)
		most=$(((now - start) * 10 / 1000000000))
		echo "$n keys stored, at most $most allowed"
		[ "$n" -le "$most" ] || fail "$n keys after $(((now - start) / 1000000)) ms"
		[ "$n" -ge 5 ] || sleep 0.1
	done
}

t_fault_malformed_json_breaks_the_key_replies() {
	kmesim_start --unthrottled --fault malformed-json
	expect_http 200 a sae-a /api/v1/keys/sae-b/enc_keys?number=2
	! jq . body >/dev/null 2>&1 || fail "the enc_keys reply is valid JSON"
	expect_http 200 a sae-a /api/v1/keys/sae-b/status
	jq -e '.stored_key_count == 3900' body
}

t_fault_wrong_size_delivers_short_keys() {
	kmesim_start --unthrottled --fault wrong-size
	enc 2 256
	every_key enc.json 31
	jq -c '{key_IDs: [.keys[] | {key_ID}]}' enc.json >ids.json
	expect_http 200 b sae-b /api/v1/keys/sae-a/dec_keys --json @ids.json
	every_key body 31
}

t_fault_duplicate_id_repeats_a_key_id() {
	kmesim_start --unthrottled --fault duplicate-id
	enc 3 256
	jq -e '.keys | length == 3 and (map(.key_ID) | unique | length) == 2' enc.json
	enc 1 256
	jq -e '.keys | length == 2 and (map(.key_ID) | unique | length) == 1' enc.json
}

t_fault_mismatched_key_gives_the_slave_other_material_for_one_key() {
	local i a b
	kmesim_start --unthrottled --fault mismatched-key --fault-listener b
	enc 3 256
	jq -c '{key_IDs: [.keys[] | {key_ID}]}' enc.json >ids.json
	expect_http 200 b sae-b /api/v1/keys/sae-a/dec_keys --json @ids.json
	every_key body 32
	# The same IDs in the same order; the first two keys alike, the last
	# with its first byte inverted and nothing else changed.
	[ "$(jq -c '[.keys[].key_ID]' enc.json)" = "$(jq -c '[.keys[].key_ID]' body)" ]
	for i in 0 1 2; do
		a=$(jq -r ".keys[$i].key" enc.json | base64 -d | od -An -tx1 | tr -d ' \n')
		b=$(jq -r ".keys[$i].key" body | base64 -d | od -An -tx1 | tr -d ' \n')
		if [ $i = 2 ]; then
			[ "$(printf '%02x' $((0x${a:0:2} ^ 0xff)))${a:2}" = "$b" ] ||
				fail "key 3 is not key 3 with its first byte inverted"
		else
			[ "$a" = "$b" ] || fail "key $((i + 1)) differs"
		fi
	done
	# The log names the reply's key IDs, never the material.
	grep -q "dec_keys sae=sae-b 200 3 key(s) of 256 bits, fault mismatched-key, key_IDs $(jq -r '[.keys[].key_ID] | join(",")' enc.json)$" kmesim.log
	! grep -q "$(jq -r '.keys[0].key' enc.json)" kmesim.log
}

t_a_fault_can_hit_one_kme_and_one_request() {
	kmesim_start --unthrottled --fault malformed-json --fault-listener b \
		--fault-request 2
	enc 3 256
	jq -e '.keys | length == 3' enc.json
	ids=$(jq -r '.keys[].key_ID' enc.json)
	n=0
	for id in $ids; do
		n=$((n + 1))
		expect_http 200 b sae-b "/api/v1/keys/sae-a/dec_keys?key_ID=$id"
		if [ $n = 2 ]; then
			! jq . body >/dev/null 2>&1 || fail "reply $n is valid JSON"
		else
			jq -e --arg id "$id" '.keys[0].key_ID == $id' body
		fi
	done
}

t_several_sae_pairs_have_separate_stores() {
	kmesim_start --unthrottled --master-sae sae-a --slave-sae sae-b \
		--master-sae qkdd-a --slave-sae qkdd-b
	enc 1 256
	id=$(jq -r '.keys[0].key_ID' enc.json)
	expect_http 400 b qkdd-b "/api/v1/keys/qkdd-a/dec_keys?key_ID=$id"
	expect_http 401 a qkdd-a /api/v1/keys/sae-b/enc_keys
	expect_http 200 a qkdd-a /api/v1/keys/qkdd-b/enc_keys
	expect_http 200 b sae-b "/api/v1/keys/sae-a/dec_keys?key_ID=$id"
}

t_quirk_stored_count_pending_counts_keys_not_yet_fetched() {
	kmesim_start --unthrottled --quirk stored-count-pending
	expect_http 200 a sae-a /api/v1/keys/sae-b/status
	jq -e '.stored_key_count == 0' body
	enc 3 256
	expect_http 200 a sae-a /api/v1/keys/sae-b/status
	jq -e '.stored_key_count == 3' body
	id=$(jq -r '.keys[0].key_ID' enc.json)
	expect_http 200 b sae-b "/api/v1/keys/sae-a/dec_keys?key_ID=$id"
	expect_http 200 b sae-b /api/v1/keys/sae-a/status
	jq -e '.stored_key_count == 2' body
	grep -q 'quirks stored-count-pending' kmesim.log
}

t_quirk_empty_400_answers_an_empty_store_with_400() {
	kmesim_start --rate 1 --initial-keys 2 --max-keys 10 --quirk empty-400
	expect_http 400 a sae-a '/api/v1/keys/sae-b/enc_keys?number=3'
	grep -q 'Please try again later' body
	enc 2 256
	expect_http 400 a sae-a /api/v1/keys/sae-b/enc_keys --json '{"number":1}'
	grep -q 'Please try again later' body
	# Other 400s are as ever.
	expect_http 400 a sae-a '/api/v1/keys/sae-b/enc_keys?size=100'
	grep -q 'multiple of 8' body
}

t_quirk_html_errors_sends_error_pages() {
	kmesim_start --unthrottled --max-keys 4 --quirk html-errors
	[ "$(call a sae-a '/api/v1/keys/sae-b/enc_keys?number=5' \
		-D headers)" = 503 ]
	cat headers body
	grep -qi '^content-type: text/html' headers
	grep -q '^<p>not enough keys: 5 needed, 4 stored</p>$' body
	! jq . body >/dev/null 2>&1 || fail "the error is JSON"
	[ "$(call a none /api/v1/keys/sae-b/status)" = 401 ]
	grep -q '<title>401 Unauthorized</title>' body
	# Answers are JSON as ever.
	enc 2 256
}

t_quirk_get_ignores_number_gives_one_key() {
	kmesim_start --unthrottled --quirk get-ignores-number
	expect_http 200 a sae-a '/api/v1/keys/sae-b/enc_keys?number=5&size=512'
	jq -e '.keys | length == 1' body
	every_key body 64
	expect_http 200 a sae-a /api/v1/keys/sae-b/enc_keys --json '{"number":5}'
	jq -e '.keys | length == 5' body
	kmesim_stop
	rm kmesim.out
	kmesim_start --unthrottled --quirk ignores-number
	expect_http 200 a sae-a /api/v1/keys/sae-b/enc_keys --json '{"number":5}'
	jq -e '.keys | length == 1' body
}

t_quirk_connection_close_ends_every_connection() {
	kmesim_start --unthrottled --quirk connection-close
	# Three requests in one curl: each on a connection of its own.
	run curl -sSv --cacert "$CERTS/ca.pem" --cert "$CERTS/sae-a.pem" \
		--key "$CERTS/sae-a.key" "https://$A/api/v1/keys/sae-b/status" \
		"https://$A/api/v1/keys/sae-b/enc_keys?number=0" \
		"https://$A/api/v1/keys/sae-b/enc_keys" -o /dev/null -o /dev/null \
		-o /dev/null 2>curl.txt
	grep -i 'connection' curl.txt
	[ "$(grep -ci '^< connection: close' curl.txt)" = 3 ]
	! grep -q 'Re-using existing connection' curl.txt
}

t_port_file_log_and_clean_shutdown() {
	kmesim_start --unthrottled --port-file port --pid-file pid >line
	[ "$(cat port)" = "$(cat line)" ]
	[ "$(cat pid)" = "$KMESIM_PID" ]
	enc 2 256
	run kill -TERM "$KMESIM_PID"
	expect_status 0 wait "$KMESIM_PID"
	[ ! -e port ]
	[ ! -e pid ]
	cat kmesim.log
	grep -q 'a GET /api/v1/keys/sae-b/enc_keys sae=sae-a 200' kmesim.log
	for key in $(jq -r '.keys[].key' enc.json); do
		! grep -qF "$key" kmesim.log || fail "key material in the log"
	done
}

t_usage_errors_exit_2() {
	expect_status 2 "$KMESIM" --no-such-option
	expect_status 2 "$KMESIM" --ca "$CERTS/ca.pem" --cert x --key y --fault bogus
	expect_status 2 "$KMESIM" --ca "$CERTS/ca.pem" --cert x --key y --quirk bogus
	expect_status 2 "$KMESIM" --ca "$CERTS/ca.pem" --cert x --key y --master-sae a
	expect_status 2 "$KMESIM" --ca "$CERTS/ca.pem" --cert x --key y --key-size 100
	expect_status 0 "$KMESIM" --help >/dev/null
}

t_mkcerts_is_idempotent() {
	run "$MKCERTS" certs sae-x sae-y >/dev/null
	for f in ca foreign-ca kme-a kme-b sae-x sae-y qkdd-a qkdd-b unknown-sae foreign; do
		[ -s "certs/$f.pem" ] && [ -s "certs/$f.key" ] || fail "no $f"
	done
	sha256sum certs/* >before
	run "$MKCERTS" certs sae-x sae-y >out
	[ ! -s out ] || fail "made again: $(cat out)"
	sha256sum certs/* | diff before -
	openssl x509 -in certs/sae-x.pem -noout -subject | grep -q 'CN *= *sae-x'
	openssl x509 -in certs/foreign.pem -noout -subject | grep -q 'CN *= *sae-x'
}

tap_one "$@"

CERTS=$(mktemp -d)
export CERTS
trap 'rm -rf "$CERTS"' EXIT
"$MKCERTS" "$CERTS" >/dev/null || { echo "not ok 1 mkcerts"; exit 1; }

tap_test "status at KME A and B gives every field" t_status_at_kme_a_and_b_gives_every_field
tap_test "enc_keys GET gives N keys of the size asked" t_enc_keys_get_gives_n_keys_of_the_size_asked
tap_test "enc_keys POST gives N keys of the size asked" t_enc_keys_post_gives_n_keys_of_the_size_asked
tap_test "dec_keys POST gives the slave the same keys" t_dec_keys_post_gives_the_slave_the_same_keys
tap_test "dec_keys GET gives the slave the same key" t_dec_keys_get_gives_the_slave_the_same_key
tap_test "a key goes to the slave once" t_a_key_goes_to_the_slave_once
tap_test "a request without client certificate is refused" t_a_request_without_client_certificate_is_refused
tap_test "a certificate from another CA is refused" t_a_certificate_from_another_ca_is_refused
tap_test "a server certificate is no client certificate" t_a_server_certificate_is_no_client_certificate
tap_test "an unknown SAE gets 401" t_an_unknown_sae_gets_401
tap_test "the master cannot decrypt, the slave cannot encrypt" t_master_cannot_decrypt_and_slave_cannot_encrypt
tap_test "number above max_key_per_request is 400" t_number_above_max_key_per_request_is_400
tap_test "bad sizes, parameters, bodies and key IDs are 400" t_bad_requests_are_400
tap_test "unknown paths are 404" t_unknown_paths_are_404
tap_test "an exhausted store gives 503" t_an_exhausted_store_gives_503
tap_test "a throttled store runs dry and gives 503" t_a_throttled_store_runs_dry_and_gives_503
tap_test "a large key takes several stored keys" t_a_large_key_takes_several_stored_keys
tap_test "the key rate is honoured" t_the_key_rate_is_honoured
tap_test "fault malformed-json breaks the key replies" t_fault_malformed_json_breaks_the_key_replies
tap_test "fault wrong-size delivers short keys" t_fault_wrong_size_delivers_short_keys
tap_test "fault duplicate-id repeats a key ID" t_fault_duplicate_id_repeats_a_key_id
tap_test "fault mismatched-key gives the slave other material for one key" t_fault_mismatched_key_gives_the_slave_other_material_for_one_key
tap_test "a fault can hit one KME and one request" t_a_fault_can_hit_one_kme_and_one_request
tap_test "several SAE pairs have separate stores" t_several_sae_pairs_have_separate_stores
tap_test "quirk stored-count-pending counts the keys not yet fetched" t_quirk_stored_count_pending_counts_keys_not_yet_fetched
tap_test "quirk empty-400 answers an empty store with 400" t_quirk_empty_400_answers_an_empty_store_with_400
tap_test "quirk html-errors sends error pages" t_quirk_html_errors_sends_error_pages
tap_test "quirk get-ignores-number gives one key" t_quirk_get_ignores_number_gives_one_key
tap_test "quirk connection-close ends every connection" t_quirk_connection_close_ends_every_connection
tap_test "port file, log and clean shutdown" t_port_file_log_and_clean_shutdown
tap_test "usage errors exit 2" t_usage_errors_exit_2
tap_test "mkcerts is idempotent" t_mkcerts_is_idempotent
tap_done
