#!/usr/bin/env bats
# sysfence record: what a command calls, recorded through user notifications, as a minimal
# allowlist. The recorded profile runs the same workload (sysfence run, crun) and refuses what
# it did not do; nothing escapes (threads, pipelines, subprocesses, daemons, the i386 ABI);
# the set contains everything strace sees; the same recording gives the same bytes.
#
# Small C programs of tests/data/record/ are compiled once per run into $BATS_RUN_TMPDIR.
# Expectations are for an x86_64 host.

bats_require_minimum_version 1.5.0

if [ -f "$BATS_TEST_DIRNAME/lib/crun.bash" ]; then
	load lib/crun
fi
load lib/record

setup_file() {
	record_build_programs record-bats-bin
}

setup() {
	record_setup
}

teardown() {
	record_teardown
}

@test "record, then run under the recording: the same workload succeeds" {
	run "$SYSFENCE" record -o rec.json -- busybox sh -c 'echo hello; ls / >/dev/null; cat /etc/hostname >/dev/null'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = hello ]
	[ -s rec.json ]
	"$SYSFENCE" check rec.json
	run "$SYSFENCE" run --profile rec.json -- busybox sh -c 'echo hello; ls / >/dev/null; cat /etc/hostname >/dev/null'
	[ "$status" -eq 0 ]
	[ "$output" = hello ]
}

@test "the profile: default ERRNO(EPERM), the native ABI, sorted names in one rule, the runtime's rule with a comment" {
	"$SYSFENCE" record -o rec.json -- /bin/true
	python3 - rec.json <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
assert p["defaultAction"] == "SCMP_ACT_ERRNO" and p["defaultErrnoRet"] == 1, p
assert p["architectures"] == ["SCMP_ARCH_X86_64"], p["architectures"]
r = p["syscalls"]
assert r[0]["action"] == "SCMP_ACT_ALLOW" and r[0]["names"] == sorted(r[0]["names"])
assert "exit_group" in r[0]["names"] and "comment" not in r[0]
assert r[1]["names"] == ["execve"] and "crun" in r[1]["comment"], r[1]
EOF
}

@test "an action the recording did not exercise (mkdir) is refused with EPERM" {
	"$SYSFENCE" record -o rec.json -- busybox sh -c 'echo hi'
	run "$SYSFENCE" run --profile rec.json -- busybox sh -c 'mkdir d'
	[ "$status" -ne 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
	[ ! -e d ]
}

@test "--errno ENOSYS; --format yaml" {
	"$SYSFENCE" record --errno ENOSYS -o rec.json -- /bin/true
	grep -q '"defaultErrnoRet": 38' rec.json
	"$SYSFENCE" record --format yaml -o rec.yaml -- /bin/true
	grep -q '^defaultAction: SCMP_ACT_ERRNO' rec.yaml
	"$SYSFENCE" run --profile rec.yaml -- /bin/true
	run "$SYSFENCE" record --format xml -o x -- /bin/true
	[ "$status" -eq 125 ]
	[ ! -e x ]
}

@test "coreutils in a pipeline: every process of it is recorded, the pipeline runs under the profile" {
	run "$SYSFENCE" record -o rec.json -- sh -c 'seq 1 200 | sort -rn | head -n 3'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '200\n199\n198')" ]
	names rec.json | grep -qx pipe2
	names rec.json | grep -qx wait4
	run "$SYSFENCE" run --profile rec.json -- sh -c 'seq 1 200 | sort -rn | head -n 3'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '200\n199\n198')" ]
}

@test "python3 -c with threads and a subprocess: recorded, and runs under the profile" {
	run "$SYSFENCE" record -o rec.json -- python3 "$RD/threads.py"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "threads [0, 1, 4, 9]" ]
	[ "${lines[1]}" = child ]
	run "$SYSFENCE" run --profile rec.json -- python3 "$RD/threads.py"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = child ]
}

@test "a daemonizing program: its detached child is recorded after the parent exits" {
	need_x86_64
	run "$SYSFENCE" record -o rec.json -- "$RBIN/daemon" "$TMP/marker"
	[ "$status" -eq 0 ]
	[ "$(cat marker)" = done ]
	names rec.json | grep -qx sched_get_priority_max
	names rec.json | grep -qx setsid
	# under the recording the detached child does its work too (sysfence run execs the
	# command: nothing waits for the child, so the test does)
	run "$SYSFENCE" run --profile rec.json -- "$RBIN/daemon" "$TMP/again"
	[ "$status" -eq 0 ]
	for _ in $(seq 30); do
		[ "$(cat again 2>/dev/null)" = done ] && break
		sleep 0.1
	done
	[ "$(cat again)" = done ]
}

@test "a command killed by a signal: 128+N passes through, the profile is still written" {
	run "$SYSFENCE" record -o rec.json -- busybox sh -c 'kill -SEGV $$'
	[ "$status" -eq 139 ]
	names rec.json | grep -qx kill
	# the same workload under the recording: the same signal, not a refusal
	run "$SYSFENCE" run --profile rec.json -- busybox sh -c 'kill -SEGV $$'
	[ "$status" -eq 139 ]
	run "$SYSFENCE" record -o rec2.json -- busybox sh -c 'exit 7'
	[ "$status" -eq 7 ]
	[ -s rec2.json ]
}

@test "SIGTERM to record: forwarded to the command, the profile written, the command's status" {
	"$SYSFENCE" record -o rec.json -- busybox sleep 30 &
	local pid=$!
	sleep 0.5
	kill -TERM "$pid"
	local st=0
	wait "$pid" || st=$?
	[ "$st" -eq 143 ]
	names rec.json | grep -qx 'nanosleep\|clock_nanosleep'
}

@test "a 32-bit static program started from a 64-bit shell: rules for both ABIs" {
	need_x86_64
	[ -x "$RBIN/hello32" ] || skip "gcc -m32 -static is not available"
	run "$SYSFENCE" record -o rec.json -- sh -c "$RBIN/hello32"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from i386" ]
	python3 - rec.json <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
assert p["architectures"] == ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"], p["architectures"]
names = {n for r in p["syscalls"] for n in r["names"]}
assert "set_thread_area" in names, names   # i386 only
assert "arch_prctl" in names, names        # x86_64 only
EOF
	run "$SYSFENCE" run --profile rec.json -- sh -c "$RBIN/hello32"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from i386" ]
	# -v names the ABI of each call
	run "$SYSFENCE" record -v -o rec.json -- "$RBIN/hello32"
	[[ "$output" == *" x86 "*set_thread_area* ]]
}

@test "completeness: every syscall strace -f reports is in the recording" {
	command -v strace >/dev/null || skip "strace not installed"
	local w=(busybox sh -c 'echo a >f; cat f; ls -l >/dev/null; busybox wc -c f; rm f')
	"$SYSFENCE" record -o rec.json -- "${w[@]}" >/dev/null
	strace -f -qq -e trace=all -o trace.txt "${w[@]}" >/dev/null
	# "PID name(" and "PID <... name resumed>": the names strace saw
	sed -nE 's/^[0-9]+ +(<\.\.\. )?([a-z0-9_]+)[( ].*/\2/p' trace.txt | sort -u >strace.names
	[ -s strace.names ]
	names rec.json >record.names
	run comm -23 strace.names record.names
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "determinism: two recordings of the same workload are byte-identical" {
	"$SYSFENCE" record -o a.json -- busybox sh -c 'echo x | busybox cat >/dev/null'
	"$SYSFENCE" record -o b.json -- busybox sh -c 'echo x | busybox cat >/dev/null'
	cmp a.json b.json
	"$SYSFENCE" record --format yaml -o a.yaml -- /bin/true
	"$SYSFENCE" record --format yaml -o b.yaml -- /bin/true
	cmp a.yaml b.yaml
}

@test "command not found: 127, not executable: 126; no profile either way" {
	run -127 "$SYSFENCE" record -o rec.json -- /nonexistent/cmd
	[ "$status" -eq 127 ]
	printf 'x' >noexec
	run -126 "$SYSFENCE" record -o rec.json -- ./noexec
	[ "$status" -eq 126 ]
	[ ! -e rec.json ]
	run "$SYSFENCE" record -o rec.json
	[ "$status" -eq 125 ]
}

@test "standard input, output, error, the environment and fd 3 pass through" {
	run "$SYSFENCE" record -o rec.json -- busybox sh -c 'read l; echo "in:$l out"; echo err >&2; echo "env:$FOO"; echo three >&3' \
		<<<"line" 3>fd3.txt
	[ "$status" -eq 0 ]
	[[ "$output" == *"in:line out"* ]]
	[[ "$output" == *err* ]]
	[ "$(cat fd3.txt)" = three ]
	FOO=bar run "$SYSFENCE" record -o rec.json -- busybox sh -c 'echo "env:$FOO"'
	[ "$output" = env:bar ]
}

@test "under a filter already: a notice says what cannot be seen, and recording still works" {
	run "$SYSFENCE" run --profile @audit -- "$SYSFENCE" record -o rec.json -- /bin/true
	[ "$status" -eq 0 ]
	[[ "$output" == *"seccomp filter"*"stricter action wins"*"ptrace"* ]]
	names rec.json | grep -qx exit_group
}

@test "crun: the workload runs in a container under the recorded profile; mkdir is refused" {
	command -v crun_available >/dev/null || skip "lib/crun.bash not there"
	crun_require
	"$SYSFENCE" record -o rec.json -- busybox sh -c 'echo hi; ls / >/dev/null'
	crun_run rec.json -- /bin/sh -c 'echo hi; ls / >/dev/null'
	[ "$crun_status" -eq 0 ]
	[ "$crun_stdout" = hi ]
	crun_run rec.json -- /bin/sh -c 'mkdir /tmp/d'
	[ "$crun_status" -ne 0 ]
	[[ "$crun_stderr" == *"Operation not permitted"* ]]
}
