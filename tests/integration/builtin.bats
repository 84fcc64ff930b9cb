#!/usr/bin/env bats
# Built-in profiles: '@name' wherever a profile path is accepted (show, check, diff, compile).

setup() {
	SYSFENCE=${SYSFENCE:-$BATS_TEST_DIRNAME/../../build/sysfence}
	SHARED=${SYSFENCE_SHARED:-$BATS_TEST_DIRNAME/../../../shared}
}

@test "show @runtime-default prints the unresolved profile as JSON" {
	run "$SYSFENCE" show @runtime-default
	[ "$status" -eq 0 ]
	echo "$output" | python3 -c '
import json, sys
p = json.load(sys.stdin)
assert p["defaultAction"] == "SCMP_ACT_ERRNO", p["defaultAction"]
assert len(p["syscalls"]) > 20 and p["archMap"]
assert any("includes" in r for r in p["syscalls"])'
}

@test "show @runtime-default resolves like Docker: ptrace from kernel 4.8 on" {
	run "$SYSFENCE" show @runtime-default --arch x86_64 --kernel 4.4
	[ "$status" -eq 0 ]
	[[ "$output" != *'"ptrace"'* ]]
	[[ "$output" == *'"SCMP_ARCH_X32"'* ]]
	run "$SYSFENCE" show @runtime-default --arch x86_64 --kernel 4.8
	[ "$status" -eq 0 ]
	[[ "$output" == *'"ptrace"'* ]]
	# CAP_SYS_ADMIN brings mount and drops the clone3 ENOSYS rule.
	run "$SYSFENCE" show @runtime-default --arch x86_64 --kernel 6.1
	[[ "$output" != *'"mount"'* ]]
	[[ "$output" == *'"errnoRet": 38'* ]]
	run "$SYSFENCE" show @runtime-default --arch x86_64 --kernel 6.1 --caps +CAP_SYS_ADMIN
	[ "$status" -eq 0 ]
	[[ "$output" == *'"mount"'* ]]
	[[ "$output" != *'"errnoRet": 38'* ]]
}

@test "diff @runtime-default with Docker's default.json: same meaning" {
	[ -f "$SHARED/corpus/profiles/docker-default.json" ] || skip "shared corpus not found"
	run "$SYSFENCE" diff @runtime-default "$SHARED/corpus/profiles/docker-default.json"
	[ "$status" -eq 0 ]
	[[ "$output" == *"same meaning"* ]]
	run "$SYSFENCE" diff --caps +CAP_SYS_ADMIN --kernel 4.4 @runtime-default \
		"$SHARED/corpus/profiles/docker-default.json"
	[ "$status" -eq 0 ]
	[[ "$output" == *"same meaning"* ]]
}

@test "check takes built-ins: every one is valid" {
	run "$SYSFENCE" check @audit
	[ "$status" -eq 0 ]
	[[ "$output" == *"@audit: ok"* ]]
	run "$SYSFENCE" check -q @runtime-default @unconfined @audit @deny-all
	[ "$status" -eq 0 ]
	run "$SYSFENCE" check -o json @deny-all
	[ "$status" -eq 0 ]
	echo "$output" | python3 -c '
import json, sys
f = json.load(sys.stdin)["files"][0]
assert f["file"] == "@deny-all" and f["valid"] and f["errors"] == 0, f'
}

@test "built-in findings name a place in the profile, not a position" {
	run "$SYSFENCE" check @runtime-default
	[ "$status" -eq 0 ]
	[[ "$output" == *"@runtime-default: warning: syscalls["* ]]
	[[ "$output" != *"@runtime-default:1:"* ]]
}

@test "compile and diff take built-ins" {
	run "$SYSFENCE" compile --format hex @deny-all
	[ "$status" -eq 0 ]
	[ -n "$output" ]
	run "$SYSFENCE" diff @deny-all @audit
	[ "$status" -eq 1 ]
	run "$SYSFENCE" diff @audit @audit
	[ "$status" -eq 0 ]
}

@test "an unknown @name is a usage error that lists the built-ins" {
	for cmd in show check compile; do
		run "$SYSFENCE" "$cmd" @nope
		[ "$status" -eq 2 ]
		[[ "$output" == *"@nope"* ]]
		for b in @runtime-default @unconfined @audit @deny-all; do
			[[ "$output" == *"$b"* ]]
		done
	done
	run "$SYSFENCE" diff @nope @audit
	[ "$status" -eq 2 ]
}

@test "a file whose name starts with '@' is read as ./@name" {
	dir=$(mktemp -d)
	printf '{"defaultAction":"SCMP_ACT_ALLOW"}' >"$dir/@mine"
	cd "$dir"
	run "$SYSFENCE" show @mine
	[ "$status" -eq 2 ]
	[[ "$output" == *"./@mine"* ]]
	run "$SYSFENCE" show ./@mine
	[ "$status" -eq 0 ]
	[[ "$output" == *SCMP_ACT_ALLOW* ]]
	rm -rf "$dir"
}
