#!/usr/bin/env bats
# sysfence run keeps verified programs: a hit needs the whole key, and anything odd means compile.

setup() {
	SYSFENCE=${SYSFENCE:-$BATS_TEST_DIRNAME/../../build/sysfence}
	DATA=$BATS_TEST_DIRNAME/../data
	TMP=$(mktemp -d)
	export SYSFENCE_CACHE_DIR=$TMP/cache
}

teardown() {
	rm -rf "$TMP"
}

@test "the second run of the same profile uses the verified program kept by the first" {
	run "$SYSFENCE" run -v --profile "$DATA/mkdir-deny.json" -- /bin/true
	[ "$status" -eq 0 ]
	[[ "$output" != *"from the cache"* ]]
	[ "$(stat -c %a "$SYSFENCE_CACHE_DIR")" = 700 ]
	run "$SYSFENCE" run -v --profile "$DATA/mkdir-deny.json" -- /bin/true
	[ "$status" -eq 0 ]
	[[ "$output" == *"from the cache"* ]]
	# and it still means the profile
	run "$SYSFENCE" run --profile "$DATA/mkdir-deny.json" -- busybox mkdir "$TMP/x"
	[ "$status" -eq 1 ]
	[[ "$output" == *"Operation not permitted"* ]]
}

@test "another profile, or other options, do not hit" {
	"$SYSFENCE" run --profile "$DATA/mkdir-deny.json" -- /bin/true
	cp "$DATA/mkdir-deny.json" "$TMP/p.json"
	sed -i 's/"errnoRet": 1/"errnoRet": 13/' "$TMP/p.json"
	run "$SYSFENCE" run -v --profile "$TMP/p.json" -- busybox mkdir "$TMP/x"
	[[ "$output" != *"from the cache"* ]]
	[[ "$output" == *"Permission denied"* ]]
	run "$SYSFENCE" run -v --bad-arch 'ERRNO(38)' --profile "$DATA/mkdir-deny.json" -- /bin/true
	[[ "$output" != *"from the cache"* ]]
	run "$SYSFENCE" run -v --no-cache --profile "$DATA/mkdir-deny.json" -- /bin/true
	[[ "$output" != *"from the cache"* ]]
}

@test "damaged entries and an unsafe directory are not used" {
	"$SYSFENCE" run --profile "$DATA/mkdir-deny.json" -- /bin/true
	for f in "$SYSFENCE_CACHE_DIR"/*.bpf; do head -c 100 /dev/urandom >"$f"; done
	run "$SYSFENCE" run -v --profile "$DATA/mkdir-deny.json" -- busybox mkdir "$TMP/x"
	[[ "$output" != *"from the cache"* ]]
	[[ "$output" == *"Operation not permitted"* ]]
	# writable by others: refused
	"$SYSFENCE" run --profile "$DATA/mkdir-deny.json" -- /bin/true
	chmod 777 "$SYSFENCE_CACHE_DIR"
	run "$SYSFENCE" run -v --profile "$DATA/mkdir-deny.json" -- /bin/true
	[ "$status" -eq 0 ]
	[[ "$output" != *"from the cache"* ]]
}
