#!/usr/bin/env bats
# sysfence record --mechanism ptrace and --pid: the same recordings as the notify mechanism
# (the same profile for the same deterministic workload), plus what only a tracer can do:
# attach to a running process and let it go unharmed, and see the calls a filter the workload
# already runs under refuses (marked refused).
#
# Small C programs of tests/data/record/ are compiled once per run into $BATS_RUN_TMPDIR.
# Expectations are for an x86_64 host. About 15 s (ptrace costs two stops a syscall).

bats_require_minimum_version 1.5.0

if [ -f "$BATS_TEST_DIRNAME/lib/crun.bash" ]; then
	load lib/crun
fi
load lib/record

setup_file() {
	record_build_programs record-ptrace-bats-bin
}

setup() {
	record_setup
}

teardown() {
	[ -z "${TARGET:-}" ] || kill -9 "$TARGET" 2>/dev/null || true
	record_teardown
}

# rule_of FILE NAME: the comment of the rule that allows NAME ("-" when it has none)
rule_of() {
	python3 -c 'import json, sys
p = json.load(open(sys.argv[1]))
print(next(r.get("comment", "-") for r in p["syscalls"] if sys.argv[2] in r["names"]))' "$1" "$2"
}

# A profile that allows everything but refuses NAMES with ACTION.
refusing() { # FILE ACTION NAME...
	local f=$1 act=$2
	shift 2
	python3 -c 'import json, sys
print(json.dumps({"defaultAction": "SCMP_ACT_ALLOW",
  "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
  "syscalls": [{"names": sys.argv[2:], "action": sys.argv[1]}]}))' "$act" "$@" >"$f"
}

@test "ptrace: a busybox script is recorded; it runs under the profile, mkdir is refused" {
	run "$SYSFENCE" record --mechanism ptrace -o rec.json -- busybox sh -c 'echo hello; ls / >/dev/null; cat /etc/hostname >/dev/null'
	[ "$status" -eq 0 ]
	[ "$output" = hello ]
	"$SYSFENCE" check rec.json
	run "$SYSFENCE" run --profile rec.json -- busybox sh -c 'echo hello; ls / >/dev/null; cat /etc/hostname >/dev/null'
	[ "$status" -eq 0 ]
	[ "$output" = hello ]
	run "$SYSFENCE" run --profile rec.json -- busybox sh -c 'mkdir d'
	[ "$status" -ne 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
	[ ! -e d ]
}

@test "ptrace and notify give byte-identical profiles for the same deterministic workload" {
	local w=(busybox sh -c 'echo a >f; cat f >/dev/null; ls -l >/dev/null; busybox wc -c f >/dev/null; rm f; echo x | busybox cat >/dev/null')
	"$SYSFENCE" record --mechanism ptrace -o p.json -- "${w[@]}"
	"$SYSFENCE" record --mechanism notify -o n.json -- "${w[@]}"
	cmp p.json n.json
	"$SYSFENCE" record --mechanism ptrace --format yaml -o p.yaml -- /bin/true
	"$SYSFENCE" record --format yaml -o n.yaml -- /bin/true
	cmp p.yaml n.yaml
}

@test "ptrace: a coreutils pipeline, every process of it, and the same set as notify" {
	run "$SYSFENCE" record --mechanism ptrace -o p.json -- sh -c 'seq 1 200 | sort -rn | head -n 3'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '200\n199\n198')" ]
	names p.json | grep -qx pipe2
	names p.json | grep -qx wait4
	# the same output redirection (a pipe, as bats' run gives): sort asks whether it is a tty
	"$SYSFENCE" record -o n.json -- sh -c 'seq 1 200 | sort -rn | head -n 3' | cat >/dev/null
	diff <(names p.json) <(names n.json)
	run "$SYSFENCE" run --profile p.json -- sh -c 'seq 1 200 | sort -rn | head -n 3'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '200\n199\n198')" ]
}

@test "ptrace: python3 with threads and a subprocess, and the same set as notify" {
	run "$SYSFENCE" record --mechanism ptrace -o p.json -- python3 "$RD/threads.py"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "threads [0, 1, 4, 9]" ]
	[ "${lines[1]}" = child ]
	names p.json | grep -qx clone3
	"$SYSFENCE" record -o n.json -- python3 "$RD/threads.py" | cat >/dev/null
	diff <(names p.json) <(names n.json)
	run "$SYSFENCE" run --profile p.json -- python3 "$RD/threads.py"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = child ]
}

@test "ptrace: a daemonizing program's detached child is recorded after the parent exits" {
	need_x86_64
	run "$SYSFENCE" record --mechanism ptrace -o rec.json -- "$RBIN/daemon" "$TMP/marker"
	[ "$status" -eq 0 ]
	[ "$(cat marker)" = done ]
	names rec.json | grep -qx sched_get_priority_max
	names rec.json | grep -qx setsid
}

@test "ptrace: killed by a signal gives 128+N and a profile; an exit status passes through" {
	run "$SYSFENCE" record --mechanism ptrace -o rec.json -- busybox sh -c 'kill -SEGV $$'
	[ "$status" -eq 139 ]
	names rec.json | grep -qx kill
	run "$SYSFENCE" record --mechanism ptrace -o rec2.json -- busybox sh -c 'exit 7'
	[ "$status" -eq 7 ]
	[ -s rec2.json ]
	run -127 "$SYSFENCE" record --mechanism ptrace -o rec3.json -- /nonexistent/cmd
	[ ! -e rec3.json ]
}

@test "ptrace: SIGTERM to record is forwarded, the profile written, the command's status given" {
	"$SYSFENCE" record --mechanism ptrace -o rec.json -- busybox sleep 30 &
	local pid=$!
	sleep 0.5
	kill -TERM "$pid"
	local st=0
	wait "$pid" || st=$?
	[ "$st" -eq 143 ]
	names rec.json | grep -qx 'nanosleep\|clock_nanosleep'
}

@test "ptrace: a command that stops itself (group-stop) and is continued goes on" {
	run timeout 20 "$SYSFENCE" record --mechanism ptrace -o rec.json -- \
		busybox sh -c '(sleep 0.3; kill -CONT $$) & kill -STOP $$; echo resumed'
	[ "$status" -eq 0 ]
	[ "$output" = resumed ]
	names rec.json | grep -qx kill
}

@test "ptrace: a 32-bit static program from a 64-bit shell: rules for both ABIs, as notify" {
	need_x86_64
	[ -x "$RBIN/hello32" ] || skip "gcc -m32 -static is not available"
	run "$SYSFENCE" record --mechanism ptrace -o p.json -- sh -c "$RBIN/hello32"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from i386" ]
	python3 - p.json <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
assert p["architectures"] == ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"], p["architectures"]
names = {n for r in p["syscalls"] for n in r["names"]}
assert "set_thread_area" in names, names   # i386 only
assert "arch_prctl" in names, names        # x86_64 only
EOF
	"$SYSFENCE" record -o n.json -- sh -c "$RBIN/hello32" | cat >/dev/null
	cmp p.json n.json
	run "$SYSFENCE" run --profile p.json -- sh -c "$RBIN/hello32"
	[ "$status" -eq 0 ]
	run "$SYSFENCE" record --mechanism ptrace -v -o p.json -- "$RBIN/hello32"
	[[ "$output" == *" x86 "*set_thread_area* ]]
}

# completeness WORKLOAD...: every (ABI, name) strace -f reports is in record -v's list. strace
# does not say the ABI; the number it prints (-n) does: the kernel headers' table that gives the
# name that number.
completeness() {
	"$SYSFENCE" record --mechanism ptrace -v -o rec.json -- "$@" >/dev/null 2>verbose.txt
	strace -f -qq -n -e trace=all -o trace.txt "$@" >/dev/null
	python3 - trace.txt verbose.txt <<'EOF'
import re, sys
tables = {}
for abi, h in (("x86_64", "unistd_64.h"), ("x86", "unistd_32.h")):
    t = tables[abi] = {}
    for line in open("/usr/include/x86_64-linux-gnu/asm/" + h):
        m = re.match(r"#define __NR_(\w+) (\d+)", line)
        if m:
            t[m.group(1)] = int(m.group(2))
seen = set()
for line in open(sys.argv[1]):
    m = re.match(r"^\d+ +\[ *(\d+)\] ([a-z0-9_]+)\(", line)
    if not m:
        continue  # "<... resumed>", signals, exits
    nr, name = int(m.group(1)), m.group(2)
    abis = [a for a, t in tables.items() if t.get(name) == nr]
    assert len(abis) == 1, (line, abis)
    seen.add((abis[0], name))
got = set()
for line in open(sys.argv[2]):
    m = re.match(r"^\s+\d+\s+(x86_64|x86|x32)\s+(\S+)\s", line)
    if m:
        got.add(m.groups())
assert got, "record -v listed nothing"
missing = sorted(seen - got)
assert not missing, missing
EOF
}

@test "completeness: every syscall strace -f reports is recorded by ptrace, per ABI" {
	command -v strace >/dev/null || skip "strace not installed"
	completeness busybox sh -c 'echo a >f; cat f; ls -l >/dev/null; busybox wc -c f; rm f'
	if [ -x "${RBIN:-}/hello32" ]; then
		completeness sh -c "$RBIN/hello32; echo done"
	fi
}

@test "--pid: attach to a running loop, see what it does next, let it go on SIGINT unharmed" {
	sh -c 'while sleep 0.1; do if [ -e go ]; then mkdir -p made; fi; done' &
	TARGET=$!
	sleep 0.3
	record_pid_around "$TARGET" touch go
	names rec.json | grep -qx mkdir
	names rec.json | grep -qx 'wait4'
	grep -q "detached from process $TARGET" err.txt
	# It runs on: not stopped, not traced, and still doing its work.
	kill -0 "$TARGET"
	grep -q '^State:.*S\|^State:.*R' "/proc/$TARGET/status"
	grep -q '^TracerPid:.0$' "/proc/$TARGET/status"
	rmdir made
	sleep 0.5
	[ -d made ]
}

@test "--pid: a process stopped (Ctrl-Z) when attached is still stopped after the detach" {
	sh -c 'while sleep 0.1; do :; done' &
	TARGET=$!
	sleep 0.2
	kill -STOP "$TARGET"
	record_pid_around "$TARGET" true
	grep -q '^State:.*T (stopped)' "/proc/$TARGET/status"
	grep -q '^TracerPid:.0$' "/proc/$TARGET/status"
	! grep -q "could not be attached" err.txt
	kill -CONT "$TARGET"
	sleep 0.3
	grep -q '^State:.*S\|^State:.*R' "/proc/$TARGET/status"
}

@test "ptrace and --pid: snapshots (--snapshot-every, SIGUSR1) while the workload runs" {
	run "$SYSFENCE" record --mechanism ptrace --snapshot-every 0.2 -o snap.json -- \
		busybox sh -c "sleep 0.6; test -s $TMP/snap.json && echo present"
	[ "$status" -eq 0 ]
	[ "$output" = present ]
	sh -c 'while sleep 0.1; do :; done' &
	TARGET=$!
	"$SYSFENCE" record --pid "$TARGET" -o rec.json 2>/dev/null &
	local rec=$!
	sleep 0.4
	kill -USR1 "$rec"
	sleep 0.4
	names rec.json | grep -qx wait4
	kill -0 "$rec" # still recording
	kill -INT "$rec"
	wait "$rec"
	kill -0 "$TARGET"
}

@test "--pid: usage errors say what is wrong (125), and nothing is written" {
	run "$SYSFENCE" record --pid 999999999 -o rec.json
	[ "$status" -eq 125 ]
	run "$SYSFENCE" record --pid 1x -o rec.json
	[ "$status" -eq 125 ]
	run "$SYSFENCE" record --pid $$ -o rec.json -- /bin/true
	[ "$status" -eq 125 ]
	[[ "$output" == *"not both"* ]]
	run "$SYSFENCE" record --mechanism notify --pid $$ -o rec.json
	[ "$status" -eq 125 ]
	run "$SYSFENCE" record --mechanism strace -o rec.json -- /bin/true
	[ "$status" -eq 125 ]
	[ ! -e rec.json ]
}

@test "under a filter: ptrace sees the calls it refuses and marks them; notify misses them" {
	refusing nolink.json SCMP_ACT_ERRNO symlink symlinkat
	local w=("$SYSFENCE" run --profile nolink.json -- busybox sh -c 'ln -s a b || echo refused')
	# sysfence run's cache: filled now, so that both recordings below read it alike
	"${w[@]}" >/dev/null 2>&1
	run "$SYSFENCE" record --mechanism ptrace -o p.json -- "${w[@]}"
	[ "$status" -eq 0 ]
	[[ "$output" == *refused* ]]
	[ ! -L b ]
	[[ "$output" == *"1 call was refused"*"x86_64 symlink"* ]]
	[[ "$(rule_of p.json symlink)" == "refused while recorded"* ]]
	[ "$(rule_of p.json write)" = - ]
	# The notify mechanism never hears of it (the stricter action wins).
	"$SYSFENCE" record -o n.json -- "${w[@]}" 2>&1 | cat >/dev/null
	! names n.json | grep -qx symlink
	diff <(names p.json | grep -vx symlink) <(names n.json)
}

@test "under a filter sysfence cannot read: kills and traps are still marked, errnos are not" {
	# sysfence itself under a filter: the kernel refuses it PTRACE_SECCOMP_GET_FILTER.
	refusing outer.json SCMP_ACT_ERRNO acct
	for act in SCMP_ACT_KILL_PROCESS SCMP_ACT_TRAP; do
		refusing inner.json "$act" symlink symlinkat
		run "$SYSFENCE" run --profile outer.json -- "$SYSFENCE" record --mechanism ptrace -o p.json -- \
			"$SYSFENCE" run --profile inner.json -- busybox sh -c 'ln -s a b; echo "st=$?"'
		[ "$status" -eq 0 ]
		[[ "$output" == *"st=159"* ]]
		[[ "$output" == *"could not be read"* ]]
		[[ "$(rule_of p.json symlink)" == "refused while recorded"* ]]
	done
	refusing inner.json SCMP_ACT_ERRNO symlink symlinkat
	run "$SYSFENCE" run --profile outer.json -- "$SYSFENCE" record --mechanism ptrace -o p.json -- \
		"$SYSFENCE" run --profile inner.json -- busybox sh -c 'ln -s a b; echo "st=$?"'
	[ "$status" -eq 0 ]
	[[ "$output" == *"st=1"* ]]
	[[ "$output" == *"look like failed calls"* ]]
	[ "$(rule_of p.json symlink)" = - ]
}

@test "the notify mechanism's notice under a filter offers --mechanism ptrace" {
	refusing outer.json SCMP_ACT_ERRNO acct
	run "$SYSFENCE" run --profile outer.json -- "$SYSFENCE" record -o rec.json -- /bin/true
	[ "$status" -eq 0 ]
	[[ "$output" == *"stricter action wins"*"--mechanism ptrace"* ]]
	run "$SYSFENCE" run --profile outer.json -- "$SYSFENCE" record --mechanism ptrace -o rec.json -- /bin/true
	[ "$status" -eq 0 ]
	[[ "$output" != *"stricter action wins"* ]]
}

@test "crun: a ptrace recording runs in a container; mkdir is refused" {
	command -v crun_available >/dev/null || skip "lib/crun.bash not there"
	crun_require
	"$SYSFENCE" record --mechanism ptrace -o rec.json -- busybox sh -c 'echo hi; ls / >/dev/null'
	crun_run rec.json -- /bin/sh -c 'echo hi; ls / >/dev/null'
	[ "$crun_status" -eq 0 ]
	[ "$crun_stdout" = hi ]
	crun_run rec.json -- /bin/sh -c 'mkdir /tmp/d'
	[ "$crun_status" -ne 0 ]
	[[ "$crun_stderr" == *"Operation not permitted"* ]]
}
