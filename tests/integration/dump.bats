#!/usr/bin/env bats
# sysfence dump: live filters read with PTRACE_SECCOMP_GET_FILTER and turned back into profiles
# that `sysfence diff` finds equal to what was loaded: processes under `sysfence run` (Docker's
# default, an argument-heavy deny list), a busybox sleep in a crun container (Docker's default
# compiled by crun's libseccomp), stacked filters (two nested `sysfence run`), raw files; and the
# limits: no such process, no filter, a target traced by strace, the dumper itself under seccomp.
#
# Needs root for the live tests; expectations are for an x86_64 host. About 10 s (the crun
# container and the diffs of Docker's default).

bats_require_minimum_version 1.5.0

setup() {
	load lib/crun
	load lib/procs
	SYSFENCE=${SYSFENCE:-$BATS_TEST_DIRNAME/../../build/sysfence}
	SHARED=${SYSFENCE_SHARED:-$BATS_TEST_DIRNAME/../../../shared}
	DATA=$BATS_TEST_DIRNAME/../data/dump
	T=$BATS_TEST_TMPDIR
	procs_setup
}

teardown() {
	procs_teardown
}

# confined PROFILE...: start `sleep` under each PROFILE in turn (nested sysfence run: one filter
# each), print its pid
confined() {
	local args=() p
	for p in "$@"; do args+=("$SYSFENCE" run --profile "$p" --); done
	"${args[@]}" sleep 60 </dev/null >/dev/null 2>&1 3>&- &
	BG+=("$!")
	PIDS+=("$!")
	wait_exec "$!" sleep
	echo "$!"
}

pyjson() {
	python3 -c "import json,sys; p=json.load(open(sys.argv[1])); $2" "$1"
}

@test "dump: Docker's default under sysfence run comes back with the same meaning" {
	need_root
	need_x86_64
	pid=$(confined @runtime-default)
	run "$SYSFENCE" dump -v "$pid" -o "$T/out.json"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"1 filter ("*" inputs (0 differ); architectures: x86_64 x32 x86"* ]]
	run "$SYSFENCE" diff @runtime-default "$T/out.json"
	echo "$output"
	[ "$status" -eq 0 ]
	pyjson "$T/out.json" '
assert p["defaultAction"] == "SCMP_ACT_ERRNO" and p["defaultErrnoRet"] == 1, p
assert p["architectures"] == ["SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_X86"]
allowed = {n for r in p["syscalls"] if r["action"] == "SCMP_ACT_ALLOW" and "args" not in r for n in r["names"]}
assert {"read", "write", "execve", "exit_group"} <= allowed and "reboot" not in allowed
'
	# the raw program is the one sysfence compile makes of the same profile
	"$SYSFENCE" dump "$pid" --format raw -o "$T/live.bpf"
	"$SYSFENCE" compile @runtime-default --format raw -o "$T/compiled.bpf"
	cmp "$T/live.bpf" "$T/compiled.bpf"
	run "$SYSFENCE" dump "$pid" --format disasm
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "# filter 0 of 1 (the most recent), "*" instructions" ]]
	[[ "$output" == *"AUDIT_ARCH_X86_64"* ]]
	# YAML when the output file says so
	"$SYSFENCE" dump "$pid" -o "$T/out.yaml"
	run "$SYSFENCE" diff "$T/out.json" "$T/out.yaml"
	[ "$status" -eq 0 ]
	grep -q '^defaultAction: SCMP_ACT_ERRNO' "$T/out.yaml"
}

@test "dump: argument conditions (masks, 64-bit values, two arguments) come back" {
	need_root
	need_x86_64
	pid=$(confined "$DATA/args-denylist.json")
	run "$SYSFENCE" dump "$pid" -o "$T/out.json"
	echo "$output"
	[ "$status" -eq 0 ]
	run "$SYSFENCE" diff "$DATA/args-denylist.json" "$T/out.json"
	echo "$output"
	[ "$status" -eq 0 ]
	pyjson "$T/out.json" '
r = {n: x for x in p["syscalls"] for n in x["names"]}
assert r["setsockopt"]["args"] == [{"index": 4, "value": 4294967296, "valueTwo": 0, "op": "SCMP_CMP_GE"}], r["setsockopt"]
assert r["clone"]["args"][0]["op"] == "SCMP_CMP_MASKED_EQ" and r["clone"]["errnoRet"] == 1
assert sorted(a["index"] for a in r["prctl"]["args"]) == [0, 1]
assert r["acct"]["action"] == "SCMP_ACT_KILL_PROCESS"
'
}

@test "dump: a busybox sleep in a crun container (libseccomp's program of Docker's default)" {
	need_root
	need_x86_64
	crun_require
	crun_docker_sleep "$T"
	# libseccomp 2.5.4 (crun's) does not know map_shadow_stack on x32, sysfence's table does:
	# x32's map_shadow_stack gets the default there, x86_64's is allowed, and one profile
	# cannot say both. Reported, not written...
	run "$SYSFENCE" dump "$pid" -o "$T/all.json"
	echo "$output"
	if python3 -c 'import ctypes, sys
f = ctypes.CDLL("libseccomp.so.2").seccomp_syscall_resolve_name_arch
f.argtypes = [ctypes.c_uint32, ctypes.c_char_p]
sys.exit(f(0x4000003e, b"map_shadow_stack") >= 0)'; then
		[ "$status" -eq 1 ]
		[[ "$output" == *"x32/map_shadow_stack: map_shadow_stack does something else on x32 than on x86_64"* ]]
		[ ! -e "$T/all.json" ]
	fi
	# ... and exact for the other ABIs
	run "$SYSFENCE" dump -v "$pid" --arch x86_64,x86 -o "$T/out.json"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"(0 differ)"* ]]
	[[ "$output" == *"the filter accepts x32 too; left out as asked"* ]]
	# what crun was given: the profile resolved for the container's capabilities
	"$SYSFENCE" show "$profile" --caps CAP_KILL,CAP_NET_BIND_SERVICE,CAP_AUDIT_WRITE \
		-o json >"$T/resolved.json"
	# the same, but for the syscalls crun's libseccomp 2.5.4 does not know (it skips them, as
	# runc does: they get the default), which the live filter refuses
	"$SYSFENCE" diff --arch x86_64,x86 -o json "$T/resolved.json" "$T/out.json" >"$T/diff.json" ||
		true
	python3 - "$T/diff.json" <<'EOF'
import ctypes, json, sys
lib = ctypes.CDLL("libseccomp.so.2")
resolve = lib.seccomp_syscall_resolve_name_arch
resolve.argtypes = [ctypes.c_uint32, ctypes.c_char_p]
token = {"x86_64": 0xc000003e, "x86": 0x40000003}
diff = json.load(open(sys.argv[1]))["differences"]
for d in diff:
    assert d["a"] == "ALLOW" and d["b"] == "ERRNO(1)", d
    assert resolve(token[d["abi"]], d["name"].encode()) < 0, ("libseccomp knows", d)
print(len(diff), "syscalls unknown to libseccomp 2.5.4")
EOF
	# and not the same as the default for a privileged container
	"$SYSFENCE" show "$profile" --caps CAP_SYS_ADMIN -o json >"$T/admin.json"
	run "$SYSFENCE" diff --arch x86_64,x86 "$T/admin.json" "$T/out.json"
	[ "$status" -eq 1 ]
}

@test "dump: stacked filters are combined as the kernel does, or read one by one" {
	need_root
	need_x86_64
	# the outer filter refuses acct with EPERM, the inner one mount and acct with EACCES
	pid=$(confined "$DATA/deny-acct.json" "$DATA/deny-mount.json")
	grep -q '^Seccomp_filters:	2$' "/proc/$pid/status"
	run "$SYSFENCE" dump "$pid" -o "$T/both.json"
	echo "$output"
	[ "$status" -eq 0 ]
	# equal actions: the most recent filter's errno
	pyjson "$T/both.json" '
r = {n: x for x in p["syscalls"] for n in x["names"]}
assert p["defaultAction"] == "SCMP_ACT_ALLOW"
assert r["acct"]["errnoRet"] == 13 and r["mount"]["errnoRet"] == 13, r
'
	# index 0 is the first installed
	"$SYSFENCE" dump "$pid" --index 0 -o "$T/first.json"
	run "$SYSFENCE" diff "$DATA/deny-acct.json" "$T/first.json"
	[ "$status" -eq 0 ]
	"$SYSFENCE" dump "$pid" --index 1 -o "$T/second.json"
	run "$SYSFENCE" diff "$DATA/deny-mount.json" "$T/second.json"
	[ "$status" -eq 0 ]
	run "$SYSFENCE" dump "$pid" --format disasm
	[[ "$output" == *"# filter 0 of 2 (the oldest)"* ]]
	[[ "$output" == *"# filter 1 of 2 (the most recent)"* ]]
	# raw is one program: which one must be said
	run "$SYSFENCE" dump "$pid" --format raw
	[ "$status" -eq 2 ]
	[[ "$output" == *"has 2 filters: raw writes one, choose it with --index"* ]]
	run "$SYSFENCE" dump "$pid" --index 2
	[ "$status" -eq 1 ]
	[[ "$output" == *"has 2 filters (indexes 0 to 1): no filter 2"* ]]
}

@test "dump: no such process, and a process without a filter" {
	need_root
	run "$SYSFENCE" dump 999999999
	[ "$status" -eq 1 ]
	[[ "$output" == *"no process 999999999"* ]]
	sleep 60 </dev/null >/dev/null 2>&1 3>&- &
	PIDS+=("$!")
	BG+=("$!")
	run "$SYSFENCE" dump "$!"
	[ "$status" -eq 1 ]
	[[ "$output" == *"has no seccomp filter (seccomp mode: disabled): nothing to dump"* ]]
	run "$SYSFENCE" dump notapid
	[ "$status" -eq 2 ]
	run "$SYSFENCE" dump
	[ "$status" -eq 2 ]
}

@test "dump: a process already traced (strace) cannot be read, and says by whom" {
	need_root
	need_x86_64
	command -v strace >/dev/null || skip "strace not installed"
	"$SYSFENCE" run --profile "$DATA/deny-acct.json" -- strace -o /dev/null sleep 60 \
		</dev/null >/dev/null 2>&1 3>&- &
	BG+=("$!")
	PIDS+=("$!")
	local tracer=$!
	wait_exec "$tracer" strace
	for i in $(seq 100); do
		pid=$(pgrep -P "$tracer" -x sleep) && break
		sleep 0.05
	done
	[ -n "$pid" ]
	PIDS+=("$pid")
	run "$SYSFENCE" dump "$pid"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"process $pid is already traced by process $tracer"* ]]
	# strace itself is confined but not traced: it can be read
	run "$SYSFENCE" dump "$tracer" -o "$T/strace.json"
	[ "$status" -eq 0 ]
}

@test "dump: the dumper under seccomp gets the kernel's EACCES, explained" {
	need_root
	need_x86_64
	pid=$(confined "$DATA/deny-acct.json")
	run "$SYSFENCE" run --profile "$DATA/deny-acct.json" -- "$SYSFENCE" dump "$pid"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"this process runs under seccomp (mode filter)"* ]]
	[[ "$output" == *"not inside a container or under sysfence run"* ]]
}

@test "dump: --from-file decompiles a raw program without a process" {
	"$SYSFENCE" compile "$DATA/args-denylist.json" --format raw -o "$T/p.bpf"
	run "$SYSFENCE" dump --from-file "$T/p.bpf" -o "$T/out.json"
	[ "$status" -eq 0 ]
	run "$SYSFENCE" diff "$DATA/args-denylist.json" "$T/out.json"
	[ "$status" -eq 0 ]
	# what compile needs to make it again is said when it is not the default
	"$SYSFENCE" compile @runtime-default --bad-arch 'ERRNO(38)' --runc-compat --format raw \
		-o "$T/stub.bpf"
	run "$SYSFENCE" dump --from-file "$T/stub.bpf" -o "$T/stub.json"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"sysfence compile PROFILE --arch x86_64,x32,x86 --bad-arch ERRNO(38) --runc-compat"* ]]
	"$SYSFENCE" compile "$T/stub.json" --arch x86_64,x32,x86 --bad-arch 'ERRNO(38)' \
		--runc-compat --format raw -o "$T/again.bpf"
	run "$SYSFENCE" dump --from-file "$T/again.bpf" -o "$T/again.json"
	[ "$status" -eq 0 ]
	run "$SYSFENCE" diff "$T/stub.json" "$T/again.json"
	[ "$status" -eq 0 ]
}

@test "dump: what a profile cannot say is refused by syscall, or written with --partial" {
	need_x86_64
	# x86_64 only; open (2) allowed from one instruction address only, the rest allowed
	python3 - "$T/ip.bpf" <<'EOF'
import struct, sys
LD, JEQ, RET = 0x20, 0x15, 0x06
prog = [
    (LD, 0, 0, 4), (JEQ, 1, 0, 0xc000003e), (RET, 0, 0, 0x80000000),
    (LD, 0, 0, 0), (JEQ, 0, 3, 2),
    (LD, 0, 0, 8), (JEQ, 1, 0, 0x401000), (RET, 0, 0, 0x00050001),
    (RET, 0, 0, 0x7fff0000),
]
open(sys.argv[1], "wb").write(b"".join(struct.pack("=HBBI", *i) for i in prog))
EOF
	run "$SYSFENCE" dump --from-file "$T/ip.bpf" -o "$T/ip.json"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"x86_64/open: the action depends on the instruction pointer"* ]]
	[[ "$output" == *"--partial writes it anyway"* ]]
	[ ! -e "$T/ip.json" ]
	run "$SYSFENCE" dump --from-file "$T/ip.bpf" --partial -o "$T/ip.json"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"the profile is NOT exact (--partial)"* ]]
	grep -q UNCERTAIN "$T/ip.json"
	# not a program at all
	printf 'abc' >"$T/junk.bpf"
	run "$SYSFENCE" dump --from-file "$T/junk.bpf"
	[ "$status" -eq 1 ]
}
