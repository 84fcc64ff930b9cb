#!/usr/bin/env bats
# sysfence check / show / help: the command line as a user meets it.

setup() {
	SYSFENCE=${SYSFENCE:-$BATS_TEST_DIRNAME/../../build/sysfence}
	DATA=$BATS_TEST_DIRNAME/../data
	SHARED=${SYSFENCE_SHARED:-$BATS_TEST_DIRNAME/../../../shared}
	TMP=$(mktemp -d)
}

teardown() {
	rm -rf "$TMP"
}

@test "help, --help, --version and unknown commands" {
	run "$SYSFENCE" --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^sysfence\ [0-9]+\.[0-9]+ ]]
	run "$SYSFENCE" help
	[ "$status" -eq 0 ]
	[[ "$output" == *check* ]]
	run "$SYSFENCE" help check
	[ "$status" -eq 0 ]
	[[ "$output" == *"usage: sysfence check"* ]]
	run "$SYSFENCE" check --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"usage: sysfence check"* ]]
	run "$SYSFENCE" frobnicate
	[ "$status" -eq 2 ]
	[[ "$output" == *"not a sysfence command"* ]]
	run "$SYSFENCE"
	[ "$status" -eq 2 ]
	run "$SYSFENCE" check --bogus x
	[ "$status" -eq 2 ]
	run "$SYSFENCE" check
	[ "$status" -eq 2 ]
}

@test "a valid profile checks with exit 0" {
	run "$SYSFENCE" check "$DATA/mkdir-deny.json"
	[ "$status" -eq 0 ]
	[[ "$output" == *"deny list"* ]]   # the warning about defaultAction ALLOW
	run "$SYSFENCE" check "$DATA/allowlist.yaml"
	[ "$status" -eq 0 ]
	[[ "$output" == *"ok (2 rules)"* ]]
}

@test "every problem is one located line with path and hint" {
	run "$SYSFENCE" check "$DATA/typos.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *"typos.json:6:31: error: syscalls[0].names[2]: unknown syscall \"mkdirr\" (did you mean \"mkdir\"?)"* ]]
	[[ "$output" == *"typos.json:11:14: error: syscalls[1].action: unknown action \"SCMP_ACT_ALOW\" (did you mean SCMP_ACT_ALLOW?)"* ]]
	[[ "$output" == *"syscalls[2].errnoRet: errnoRet given for SCMP_ACT_ALLOW"* ]]
}

@test "--strict turns warnings into errors" {
	run "$SYSFENCE" check --strict "$DATA/mkdir-deny.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *"error: defaultAction"* ]]
}

@test "-o json prints findings with stable keys" {
	run "$SYSFENCE" check -o json "$DATA/typos.json"
	[ "$status" -eq 1 ]
	echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
f = d["files"][0]
assert f["valid"] is False and f["errors"] == 3, f
codes = sorted(x["code"] for x in f["findings"])
assert "unknown-syscall" in codes and "unknown-action" in codes and "errno-on-action" in codes, codes
x = [x for x in f["findings"] if x["code"] == "unknown-syscall"][0]
assert (x["line"], x["column"], x["path"]) == (6, 31, "syscalls[0].names[2]"), x
'
}

@test "syntax errors are located; I/O errors exit 2" {
	printf '{\n  "defaultAction": "SCMP_ACT_ERRNO",\n  "syscalls": [1,]\n}\n' >"$TMP/bad.json"
	run "$SYSFENCE" check "$TMP/bad.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *"bad.json:3:17: error: unexpected ',' before ']'"* ]]
	run "$SYSFENCE" check "$TMP/missing.json"
	[ "$status" -eq 2 ]
	[[ "$output" == *"missing.json"* ]]
	run "$SYSFENCE" check "$TMP"
	[ "$status" -eq 2 ]
	[[ "$output" == *"directory"* ]]
	mkfifo "$TMP/fifo"
	( printf '{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64"]}' >"$TMP/fifo" ) &
	run timeout 10 "$SYSFENCE" check "$TMP/fifo"
	[ "$status" -eq 0 ]
}

@test "standard input is read with -" {
	run sh -c "'$SYSFENCE' check - < '$DATA/mkdir-deny.json'"
	[ "$status" -eq 0 ]
	[[ "$output" == *"<stdin>: ok"* ]]
}

@test "hostile input never crashes or hangs" {
	head -c 10000000 /dev/urandom >"$TMP/garbage"
	run timeout 20 "$SYSFENCE" check "$TMP/garbage"
	[ "$status" -eq 1 ]
	python3 -c 'print("[" * 100000)' >"$TMP/deep.json"
	run timeout 20 "$SYSFENCE" check "$TMP/deep.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *"nesting"* ]]
	printf '{"defaultAction":"SCMP_ACT_ERRNO"\0}' >"$TMP/nul.json"
	run timeout 20 "$SYSFENCE" check "$TMP/nul.json"
	[ "$status" -eq 1 ]
	printf '{"defaultAction":"SCMP_ACT_\xff"}' >"$TMP/utf8.json"
	run timeout 20 "$SYSFENCE" check "$TMP/utf8.json"
	[ "$status" -eq 1 ]
	python3 -c '
import json
rules = [{"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": i, "op": "SCMP_CMP_EQ"}]} for i in range(100000)]
json.dump({"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": rules}, open("'"$TMP"'/big.json", "w"))
'
	run timeout 60 "$SYSFENCE" check -q "$TMP/big.json"
	[ "$status" -eq 0 ]
	head -c 5000 "$DATA/mkdir-deny.json" | head -c 100 >"$TMP/trunc.json"
	run timeout 20 "$SYSFENCE" check "$TMP/trunc.json"
	[ "$status" -eq 1 ]
}

@test "show prints canonical JSON, the same bytes every time, and YAML" {
	run "$SYSFENCE" show "$DATA/allowlist.yaml"
	[ "$status" -eq 0 ]
	first=$output
	run "$SYSFENCE" show "$DATA/allowlist.yaml"
	[ "$output" = "$first" ]
	echo "$first" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["syscalls"][1]["args"][0]["op"] == "SCMP_CMP_EQ"'
	"$SYSFENCE" show -o yaml "$DATA/allowlist.yaml" >"$TMP/a.yaml"
	run "$SYSFENCE" show "$TMP/a.yaml"
	[ "$status" -eq 0 ]
	[ "$output" = "$first" ]
	"$SYSFENCE" show --output "$TMP/out.json" "$DATA/allowlist.yaml"
	[ "$(cat "$TMP/out.json")" = "$first" ]
}

@test "show resolves Docker's includes/excludes for arch, caps and kernel" {
	run "$SYSFENCE" show --arch amd64 --kernel 6.1 "$DATA/docker-style.json"
	[ "$status" -eq 0 ]
	echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
names = {n for r in d["syscalls"] for n in r["names"]}
assert d["architectures"] == ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], d
assert names == {"read", "write", "ptrace", "arch_prctl"}, names
assert "archMap" not in d
'
	run "$SYSFENCE" show --arch arm64 --kernel 4.4 --caps +CAP_SYS_ADMIN "$DATA/docker-style.json"
	[ "$status" -eq 0 ]
	echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
names = {n for r in d["syscalls"] for n in r["names"]}
assert d["architectures"] == ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"], d
assert names == {"read", "write", "mount"}, names
'
	run "$SYSFENCE" show --caps CAP_NOPE "$DATA/docker-style.json"
	[ "$status" -eq 2 ]
	run "$SYSFENCE" show --arch vax "$DATA/docker-style.json"
	[ "$status" -eq 2 ]
	run "$SYSFENCE" show "$DATA/typos.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *"typos.json:6:31"* ]]
}

@test "every profile of the shared corpus checks (warnings allowed)" {
	[ -d "$SHARED/corpus/profiles" ] || skip "shared corpus not found"
	for f in "$SHARED"/corpus/profiles/*.json; do
		run "$SYSFENCE" check -q "$f"
		case "$(basename "$f")" in
		moby-fixture-example.json)
			# errnoRet 12345: the kernel caps errno at 4095: refused on purpose
			[ "$status" -eq 1 ]
			[[ "$output" == *"beyond 4095"* ]] ;;
		*)
			if [ "$status" -ne 0 ]; then echo "$f: $output"; false; fi ;;
		esac
	done
	for f in "$SHARED"/corpus/spo/seccompprofile*.yaml "$SHARED"/corpus/spo/baseprofile-*.yaml; do
		run "$SYSFENCE" check -q "$f"
		if [ "$status" -ne 0 ]; then echo "$f: $output"; false; fi
	done
}
