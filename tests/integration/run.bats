#!/usr/bin/env bats
# sysfence run: commands under a profile on the real kernel. Every action, exit statuses,
# failing closed, --explain/--suggest, the i386/x32 side doors of an x86_64 process, argument
# rules, the built-in @runtime-default, and the same commands under crun.
#
# Small C programs of tests/data/run/ are compiled once per run into $BATS_RUN_TMPDIR.
# Expectations are for an x86_64 host (syscall numbers, int $0x80); other hosts skip.

bats_require_minimum_version 1.5.0

if [ -f "$BATS_TEST_DIRNAME/lib/crun.bash" ]; then
	load lib/crun
fi

setup_file() {
	local p
	export BIN=$BATS_RUN_TMPDIR/run-bats-bin
	mkdir -p "$BIN"
	if [ "$(uname -m)" = x86_64 ] && command -v gcc >/dev/null; then
		for p in sidedoor trap probe; do
			gcc -O2 -Wall -o "$BIN/$p" "$BATS_TEST_DIRNAME/../data/run/$p.c" || return 1
		done
	fi
	# the interpreter itself, not a wrapper (pyenv shims are shell scripts)
	export PY PYEXE
	PY=$(python3 -c 'import sys; print(sys.executable)')
	PYEXE=$("$PY" -c 'import os; print(os.readlink("/proc/self/exe"))')
}

setup() {
	SYSFENCE=${SYSFENCE:-$BATS_TEST_DIRNAME/../../build/sysfence}
	DATA=$BATS_TEST_DIRNAME/../data
	R=$DATA/run
	MKDIR_DENY=$DATA/mkdir-deny.json
	ARCH=$(uname -m)
	TMP=$(mktemp -d)
	cd "$TMP"
	# SIGSYS dumps core by default: not here
	ulimit -c 0
}

teardown() {
	cd /
	rm -rf "$TMP"
}

need_x86_64() {
	[ "$(uname -m)" = x86_64 ] || skip "expectations are for an x86_64 host"
	[ -x "$BIN/sidedoor" ] || skip "the test programs were not compiled (gcc missing?)"
}

need_builtins() {
	"$SYSFENCE" show @runtime-default >/dev/null 2>&1 ||
		skip "the built-in profiles (@runtime-default) are not there yet"
}

# action_profile NAME ACTION [ERRNORET]: $TMP/NAME.json refuses mkdir and mkdirat with
# ACTION, allows the rest, and lists the three x86 ABIs.
action_profile() {
	local extra=
	[ -z "${3:-}" ] || extra=", \"errnoRet\": $3"
	cat >"$TMP/$1.json" <<EOF
{
	"defaultAction": "SCMP_ACT_ALLOW",
	"architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
	"syscalls": [{ "names": ["mkdir", "mkdirat"], "action": "$2"$extra }]
}
EOF
}

# outcome NAME CMD...: run CMD, keep its stdout, stderr and status in $TMP/NAME.{out,err,status}
outcome() {
	local name=$1
	shift
	if "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"; then
		echo 0 >"$TMP/$name.status"
	else
		echo $? >"$TMP/$name.status"
	fi
}

# same_outcome A B: the two runs ended alike (status, stdout, stderr)
same_outcome() {
	diff "$TMP/$1.status" "$TMP/$2.status"
	diff "$TMP/$1.out" "$TMP/$2.out"
	diff "$TMP/$1.err" "$TMP/$2.err"
}

# kmsg_has PATTERN...: a kernel log record holds every PATTERN (waits up to 3 s: kauditd
# prints audit records asynchronously).
kmsg_has() {
	python3 - "$@" <<'EOF'
import errno, os, sys, time
pats = sys.argv[1:]
fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
deadline = time.time() + 3
while True:
    while True:
        try:
            rec = os.read(fd, 8192).decode(errors="replace")
        except BlockingIOError:
            break
        except OSError as e:
            if e.errno == errno.EPIPE:  # overwritten while reading: go on
                continue
            raise
        if all(p in rec for p in pats):
            sys.exit(0)
    if time.time() > deadline:
        sys.exit(1)
    time.sleep(0.1)
EOF
}

# kmsg_usable: /dev/kmsg can be read and no audit daemon takes the audit records from it
kmsg_usable() {
	python3 -c 'import os; os.close(os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK))' \
		2>/dev/null || return 1
	! grep -qx auditd /proc/[0-9]*/comm 2>/dev/null
}

# ---------------------------------------------------------------------------------------
# the seeds' demo and every action

@test "the seeds' demo: mkdir is refused with Operation not permitted, ls, echo and cat work" {
	run "$SYSFENCE" run --profile "$MKDIR_DENY" -- busybox mkdir foo
	[ "$status" -eq 1 ]
	[[ "$output" == *"mkdir: can't create directory 'foo': Operation not permitted"* ]]
	[ ! -e foo ]
	# the same without a filter does create it: the refusal is the profile's
	busybox mkdir control
	[ -d control ]

	echo "some text" >file
	run "$SYSFENCE" run --profile "$MKDIR_DENY" -- busybox ls
	[ "$status" -eq 0 ]
	[[ "$output" == *control* && "$output" == *file* ]]
	run "$SYSFENCE" run --profile "$MKDIR_DENY" -- busybox echo hello
	[ "$status" -eq 0 ]
	[ "$output" = hello ]
	run "$SYSFENCE" run --profile "$MKDIR_DENY" -- busybox cat file
	[ "$status" -eq 0 ]
	[ "$output" = "some text" ]
	# -p and the command without --
	run "$SYSFENCE" run -p "$MKDIR_DENY" busybox mkdir foo
	[ "$status" -eq 1 ]
	[ ! -e foo ]
}

@test "ERRNO with errnoRet 13: the call fails with Permission denied" {
	run "$SYSFENCE" run -p "$R/mkdir-errno13.json" -- busybox mkdir foo
	[ "$status" -eq 1 ]
	[[ "$output" == *"can't create directory 'foo': Permission denied"* ]]
	[ ! -e foo ]
	# and the default errno of SCMP_ACT_ERRNO without errnoRet is EPERM (as runc)
	action_profile plain SCMP_ACT_ERRNO
	run "$SYSFENCE" run -p "$TMP/plain.json" -- busybox mkdir foo
	[ "$status" -eq 1 ]
	[[ "$output" == *"Operation not permitted"* ]]
}

@test "KILL_PROCESS, KILL_THREAD and KILL: death by SIGSYS, sysfence run exits 159" {
	local a
	for a in SCMP_ACT_KILL_PROCESS SCMP_ACT_KILL_THREAD SCMP_ACT_KILL; do
		action_profile kill "$a"
		outcome k "$SYSFENCE" run -p "$TMP/kill.json" -- busybox sh -c 'echo before; exec busybox mkdir foo'
		echo "$a: status $(cat "$TMP/k.status"), stdout $(cat "$TMP/k.out")"
		[ "$(cat "$TMP/k.status")" -eq 159 ]
		[ "$(cat "$TMP/k.out")" = before ]
		[ ! -e foo ]
	done
}

@test "TRAP: SIGSYS with si_code SYS_SECCOMP and si_syscall set" {
	need_x86_64
	action_profile trap SCMP_ACT_TRAP
	run "$SYSFENCE" run -p "$TMP/trap.json" -- "$BIN/trap" foo
	[ "$status" -eq 0 ]
	# SYS_SECCOMP = 1, mkdir = 83 on x86_64, AUDIT_ARCH_X86_64
	[ "${lines[0]}" = "sigsys si_code=1 si_syscall=83 si_arch=0xc000003e" ]
	[ ! -e foo ]
	# without a filter: no signal, the directory is made
	run "$BIN/trap" bar
	[ "${lines[0]}" = "no signal" ]
	[ -d bar ]
}

@test "TRAP under --explain: one SIGSYS, queued (SI_QUEUE), and ENOSYS, as documented" {
	need_x86_64
	action_profile trap SCMP_ACT_TRAP
	local i
	# the kernel's TRAP: one signal, whatever the handler's flags
	run "$SYSFENCE" run -p "$TMP/trap.json" -- "$BIN/trap" --restart foo
	[ "$status" -eq 0 ]
	[ "$output" = $'sigsys si_code=1 si_syscall=83 si_arch=0xc000003e\nmkdir returned 83 errno 0' ]
	# Under --explain: SI_QUEUE, and the call fails with ENOSYS, every time (not EINTR when
	# the queued signal wakes the waiting thread before the answer)
	for i in 1 2 3 4 5 6 7 8 9 10; do
		run --separate-stderr "$SYSFENCE" run --explain -p "$TMP/trap.json" -- "$BIN/trap" foo
		echo "run $i: $output"
		[ "$status" -eq 0 ]
		[ "${lines[0]}" = "sigsys si_code=-1 si_syscall=0 si_arch=0" ]
		[ "${lines[1]}" = "mkdir returned -1 errno 38" ]
		[[ "$stderr" == *'mkdir("foo", 493'*'-> TRAP(0)'* ]]
		[[ "$stderr" == *"sysfence: 1 refused call:"* ]]
	done
	[ ! -e foo ]
}

@test "TRAP under --explain, SA_RESTART handler: one SIGSYS, one refusal, no restart loop" {
	need_x86_64
	action_profile trap SCMP_ACT_TRAP
	local i
	for i in 1 2 3 4 5; do
		run --separate-stderr timeout 10 "$SYSFENCE" run --explain -p "$TMP/trap.json" -- "$BIN/trap" --restart foo
		[ "$status" -eq 0 ]
		[ "${#lines[@]}" -eq 2 ] || { echo "${#lines[@]} lines: ${lines[*]:0:4} ..."; false; }
		[ "${lines[0]}" = "sigsys si_code=-1 si_syscall=0 si_arch=0" ]
		[ "${lines[1]}" = "mkdir returned -1 errno 38" ]
		[[ "$stderr" == *"sysfence: 1 refused call:"* ]]
	done
}

@test "LOG: the call runs, and the kernel logs it (audit type=1326)" {
	action_profile log SCMP_ACT_LOG
	run "$SYSFENCE" run -p "$TMP/log.json" -- busybox sh -c 'echo $$; exec busybox mkdir logged'
	[ "$status" -eq 0 ]
	[ -d logged ]
	pid=${lines[0]}
	if [ "$(uname -m)" = x86_64 ] && kmsg_usable; then
		# SECCOMP_RET_LOG = 0x7ffc0000; mkdir = 83. The kernel rate-limits audit printk
		# (other tests log a lot): try again a few times, and when the record still does
		# not show, it must be because the kernel says it suppressed records.
		for attempt in 1 2 3 4 5; do
			kmsg_has "audit: type=1326" " pid=$pid " " syscall=83 " "code=0x7ffc0000" && return 0
			sleep 1
			rm -rf logged
			run "$SYSFENCE" run -p "$TMP/log.json" -- busybox sh -c 'echo $$; exec busybox mkdir logged'
			[ "$status" -eq 0 ]
			pid=${lines[0]}
		done
		if dmesg 2>/dev/null | tail -200 | grep -qE 'callbacks suppressed|printk limit exceeded|backlog limit'; then
			skip "the kernel suppressed audit records (printk rate limit)"
		fi
		false
	fi
}

@test "TRACE without a tracer: the call fails with ENOSYS" {
	action_profile trace SCMP_ACT_TRACE
	run "$SYSFENCE" run -p "$TMP/trace.json" -- busybox mkdir foo
	[ "$status" -eq 1 ]
	[[ "$output" == *"can't create directory 'foo': Function not implemented"* ]]
	[ ! -e foo ]
}

@test "NOTIFY is refused: exit 125, a word about the agent, the command does not run" {
	run "$SYSFENCE" run -p "$R/notify.json" -- busybox touch ran
	[ "$status" -eq 125 ]
	[[ "$output" == *SCMP_ACT_NOTIFY* ]]
	[[ "$output" == *agent* ]]
	[ ! -e ran ]
	run "$SYSFENCE" run --explain -p "$R/notify.json" -- busybox touch ran
	[ "$status" -eq 125 ]
	[ ! -e ran ]
}

# ---------------------------------------------------------------------------------------
# exit statuses and what passes through

@test "the command's exit status passes through; a signal gives 128+N" {
	local e
	for e in "" --explain; do
		run "$SYSFENCE" run $e -p "$MKDIR_DENY" -- sh -c 'exit 42'
		[ "$status" -eq 42 ]
		run "$SYSFENCE" run $e -p "$MKDIR_DENY" -- sh -c 'exit 0'
		[ "$status" -eq 0 ]
		run "$SYSFENCE" run $e -p "$MKDIR_DENY" -- sh -c 'kill -TERM $$'
		[ "$status" -eq 143 ]
		run "$SYSFENCE" run $e -p "$MKDIR_DENY" -- sh -c 'kill -USR1 $$'
		[ "$status" -eq 138 ]
	done
}

@test "command not found: 127; not executable: 126" {
	local e
	echo 'echo hi' >script
	chmod 644 script
	mkdir dir
	for e in "" --explain; do
		run -127 "$SYSFENCE" run $e -p "$MKDIR_DENY" -- no-such-command-sysfence
		[[ "$output" == *"no-such-command-sysfence"*"not found"* ]]
		run -127 "$SYSFENCE" run $e -p "$MKDIR_DENY" -- ./no-such-file
		run "$SYSFENCE" run $e -p "$MKDIR_DENY" -- ./script
		[ "$status" -eq 126 ]
		run "$SYSFENCE" run $e -p "$MKDIR_DENY" -- ./dir
		[ "$status" -eq 126 ]
	done
}

@test "an invalid profile: 125 with FILE:LINE:COL, and the command does not run" {
	local e
	for e in "" --explain; do
		run "$SYSFENCE" run $e -p "$R/invalid.json" -- busybox touch ran
		[ "$status" -eq 125 ]
		[[ "$output" == *"invalid.json:4:35: error: syscalls[0].action: unknown action \"SCMP_ACT_ERRNOO\""* ]]
		[ ! -e ran ]
	done
	# broken JSON too
	printf '{\n  "defaultAction": "SCMP_ACT_ALLOW",\n  "syscalls": [1,]\n}\n' >bad.json
	run "$SYSFENCE" run -p bad.json -- busybox touch ran
	[ "$status" -eq 125 ]
	[[ "$output" =~ bad\.json:3:[0-9]+:\ error: ]]
	[ ! -e ran ]
	# and usage errors
	run "$SYSFENCE" run -p "$MKDIR_DENY"
	[ "$status" -eq 125 ]
	run "$SYSFENCE" run --suggest -p "$MKDIR_DENY" -- busybox touch ran
	[ "$status" -eq 125 ]
	[ ! -e ran ]
}

@test "standard input, output, error and the environment pass through" {
	local e
	for e in "" --explain; do
		run --separate-stderr bash -c 'printf "abc\ndef\n" | "$0" run '"$e"' -p "$1" -- tr a-z A-Z' "$SYSFENCE" "$MKDIR_DENY"
		[ "$status" -eq 0 ]
		[ "$output" = $'ABC\nDEF' ]
		SYSFENCE_TEST_VAR="seen it" run --separate-stderr "$SYSFENCE" run $e -p "$MKDIR_DENY" -- \
			sh -c 'echo "out $SYSFENCE_TEST_VAR"; echo "err $SYSFENCE_TEST_VAR" >&2'
		[ "$status" -eq 0 ]
		[ "$output" = "out seen it" ]
		[[ "$stderr" == "err seen it"* ]]
	done
	# binary data, through a pipe both ways
	head -c 100000 /dev/urandom >blob
	"$SYSFENCE" run -p "$MKDIR_DENY" -- cat <blob >copy
	cmp blob copy
}

# ---------------------------------------------------------------------------------------
# failing closed

@test "an unreadable profile: 125, and the command does not run" {
	run "$SYSFENCE" run -p "$TMP/no-such-profile.json" -- busybox touch ran
	[ "$status" -eq 125 ]
	[[ "$output" == *"no-such-profile.json"*"No such file or directory"* ]]
	run "$SYSFENCE" run -p "$TMP" -- busybox touch ran
	[ "$status" -eq 125 ]
	[ ! -e ran ]
	if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
		chmod 755 "$TMP"
		cp "$MKDIR_DENY" secret.json
		chmod 000 secret.json
		run setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$SYSFENCE" run -p "$TMP/secret.json" -- /bin/sh -c 'echo ran'
		[ "$status" -eq 125 ]
		[[ "$output" == *"secret.json"*"Permission denied"* ]]
		[[ "$output" != *ran* ]]
	fi
}

@test "a profile written for another architecture still applies here (the native one is kept)" {
	# architectures [SCMP_ARCH_AARCH64]: as in libseccomp, runc and crun, the native ABI is
	# always a target, so the rules hold for x86_64 too
	run "$SYSFENCE" run -p "$R/mkdir-aarch64.json" -- busybox mkdir foo
	[ "$status" -eq 1 ]
	[[ "$output" == *"Operation not permitted"* ]]
	[ ! -e foo ]
}

@test "--arch aarch64 alone (this machine's ABI not a target): the command never runs" {
	[ "$(uname -m)" = x86_64 ] || skip "expectations are for an x86_64 host"
	local e
	# Every native call gets the bad-arch action (KILL_THREAD): execve itself dies. Fail
	# closed: nothing of the command runs, and the status is not success.
	for e in "" --explain; do
		run "$SYSFENCE" run $e -p "$MKDIR_DENY" --arch aarch64 -- busybox touch ran
		echo "$e: status $status: $output"
		[ "$status" -eq 159 ] || [ "$status" -eq 125 ]
		[ ! -e ran ]
	done
	# with x86_64 among the targets it runs
	run "$SYSFENCE" run -p "$MKDIR_DENY" --arch aarch64,x86_64 -- busybox touch ran
	[ "$status" -eq 0 ]
	[ -e ran ]
}

@test "no_new_privs by default; --allow-privilege-escalation as root keeps the filter without it" {
	run "$SYSFENCE" run -p "$MKDIR_DENY" -- grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status
	[ "$status" -eq 0 ]
	[[ "$output" == *"NoNewPrivs:"*1* ]]
	[[ "$output" == *"Seccomp:"*2* ]]
	[ "$(id -u)" = 0 ] || skip "the rest needs root"
	run "$SYSFENCE" run --allow-privilege-escalation -p "$MKDIR_DENY" -- \
		grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status
	[ "$status" -eq 0 ]
	[[ "$output" == *"NoNewPrivs:"*0* ]]
	[[ "$output" == *"Seccomp:"*2* ]]
	run "$SYSFENCE" run --allow-privilege-escalation -p "$MKDIR_DENY" -- busybox mkdir foo
	[ "$status" -eq 1 ]
	[[ "$output" == *"Operation not permitted"* ]]
	[ ! -e foo ]
	# a set-user-ID program: no_new_privs ignores the bit, --allow-privilege-escalation not
	chmod 755 "$TMP"
	cp "$(command -v id)" suid-id
	chown 65534 suid-id
	chmod 4755 suid-id
	run "$SYSFENCE" run -p "$MKDIR_DENY" -- ./suid-id -u
	[ "$output" = 0 ]
	run "$SYSFENCE" run --allow-privilege-escalation -p "$MKDIR_DENY" -- ./suid-id -u
	[ "$output" = 65534 ]
	# without CAP_SYS_ADMIN it cannot load the filter: 125, and the command does not run
	if command -v setpriv >/dev/null; then
		run setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$SYSFENCE" run --allow-privilege-escalation -p "$MKDIR_DENY" -- /bin/sh -c 'echo ran'
		[ "$status" -eq 125 ]
		[[ "$output" == *CAP_SYS_ADMIN* ]]
		[[ "$output" != *ran* ]]
	fi
}

# ---------------------------------------------------------------------------------------
# --explain, --explain-log, --suggest

@test "--explain reports each refusal with pid, executable, call and path; a summary counts them" {
	local bb
	bb=$(readlink -f "$(command -v busybox)")
	run --separate-stderr "$SYSFENCE" run --explain -p "$MKDIR_DENY" -- \
		busybox sh -c 'echo $$; exec busybox mkdir one two'
	[ "$status" -eq 1 ]
	pid=${lines[0]}
	echo "$stderr"
	[[ "$stderr" =~ sysfence:\ \[\ *[0-9]+\.[0-9]+\]\ pid\ $pid\ $bb:\ mkdir(at)?\((AT_FDCWD,\ )?\"one\",\ 0?[0-9]+\)\ -\>\ ERRNO\(1\) ]]
	[[ "$stderr" =~ pid\ $pid\ $bb:\ mkdir(at)?\((AT_FDCWD,\ )?\"two\" ]]
	[[ "$stderr" == *"mkdir: can't create directory 'one': Operation not permitted"* ]]
	[[ "$stderr" == *"sysfence: 2 refused calls:"* ]]
	[[ "$stderr" =~ \ 2\ +$ARCH\ +mkdir(at)?\ +ERRNO\(1\)\ +$bb ]]
	# nothing refused: said so
	run --separate-stderr "$SYSFENCE" run --explain -p "$MKDIR_DENY" -- busybox true
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"the profile refused no syscall"* ]]
}

@test "--explain-log FILE: the reports go there, the command's own stderr stays" {
	run --separate-stderr "$SYSFENCE" run --explain-log "$TMP/log" -p "$MKDIR_DENY" -- busybox mkdir foo
	[ "$status" -eq 1 ]
	[ "$stderr" = "mkdir: can't create directory 'foo': Operation not permitted" ]
	grep -E 'pid [0-9]+ .*: mkdir(at)?\(.*"foo".*-> ERRNO\(1\)' "$TMP/log"
	grep -F "sysfence: 1 refused call:" "$TMP/log"
	# a log that cannot be opened: 125 before anything runs
	run "$SYSFENCE" run --explain-log "$TMP/no/such/dir/log" -p "$MKDIR_DENY" -- busybox touch ran
	[ "$status" -eq 125 ]
	[ ! -e ran ]
}

@test "--suggest prints a rules fragment with the refused names" {
	cat >deny.json <<'EOF'
{
	"defaultAction": "SCMP_ACT_ALLOW",
	"syscalls": [
		{ "names": ["mkdir", "mkdirat", "rmdir", "unlink", "unlinkat"], "action": "SCMP_ACT_ERRNO" }
	]
}
EOF
	touch victim
	run --separate-stderr "$SYSFENCE" run --explain-log "$TMP/log" --suggest -p deny.json -- \
		sh -c 'busybox mkdir d; busybox rm victim; busybox mkdir e; exit 3'
	[ "$status" -eq 3 ]
	[ -e victim ]
	cat "$TMP/log"
	echo "$output" | python3 -c '
import json, sys
frag = [json.loads(l) for l in sys.stdin if l.startswith("{")]
assert len(frag) == 1, frag
r = frag[0]
assert r["action"] == "SCMP_ACT_ALLOW", r
names = r["names"]
assert names == sorted(names), names
assert any(n in names for n in ("mkdir", "mkdirat")), names
assert any(n in names for n in ("unlink", "unlinkat")), names
assert "rmdir" not in names, names
'
}

@test "--suggest, applied again and again, gets a command running under @deny-all" {
	need_builtins
	"$SYSFENCE" show @deny-all -o json >p.json
	local i done=0
	for i in 1 2 3 4 5 6 7 8 9 10; do
		"$SYSFENCE" run --explain-log "$TMP/log" --suggest -p p.json -- busybox echo hello >out 2>err || true
		if grep -q "the profile refused no syscall" "$TMP/log"; then
			done=1
			break
		fi
		python3 - p.json out <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
frag = [json.loads(l) for l in open(sys.argv[2]) if l.startswith('{"names"')]
assert frag, "no fragment"
p["syscalls"].append(frag[-1])
json.dump(p, open(sys.argv[1], "w"))
EOF
	done
	[ "$done" = 1 ]
	[ "$(cat out)" = hello ]
}

@test "--explain: threads are each reported with their own thread id" {
	run --separate-stderr "$SYSFENCE" run --explain -p "$MKDIR_DENY" -- "$PY" "$R/threads.py" 4 t
	[ "$status" -eq 0 ]
	echo "$output"
	echo "$stderr"
	local i tid n=0
	for i in 0 1 2 3; do
		tid=$(awk -v p="t$i" '$1 == "tid" && $3 == p { print $2 }' <<<"$output")
		[ -n "$tid" ]
		[[ "$output" == *"t$i: Operation not permitted"* ]]
		[ ! -e "t$i" ]
		grep -F "pid $tid $PYEXE: " <<<"$stderr" | grep -E "mkdir(at)?\((AT_FDCWD, )?\"t$i\"" | grep -F -- '-> ERRNO(1)'
		n=$((n + 1))
	done
	[[ "$stderr" == *"sysfence: 4 refused calls:"* ]]
	[[ "$stderr" =~ \ 4\ +$ARCH\ +mkdir(at)?\ +ERRNO\(1\)\ +$PYEXE ]]
}

@test "--explain: child processes are reported with their pid and executable" {
	local mk bb
	mk=$(readlink -f "$(command -v mkdir)")
	bb=$(readlink -f "$(command -v busybox)")
	cat >kids.sh <<'EOF'
sh -c 'echo "mkdir $$"; exec mkdir x'
busybox sh -c 'echo "busybox $$"; exec busybox mkdir y'
exit 0
EOF
	run --separate-stderr "$SYSFENCE" run --explain -p "$MKDIR_DENY" -- sh kids.sh
	[ "$status" -eq 0 ]
	echo "$stderr"
	p1=$(awk '$1 == "mkdir" { print $2 }' <<<"$output")
	p2=$(awk '$1 == "busybox" { print $2 }' <<<"$output")
	[ -n "$p1" ] && [ -n "$p2" ] && [ "$p1" != "$p2" ]
	[[ "$stderr" =~ pid\ $p1\ $mk:\ mkdir(at)?\((AT_FDCWD,\ )?\"x\" ]]
	[[ "$stderr" =~ pid\ $p2\ $bb:\ mkdir(at)?\((AT_FDCWD,\ )?\"y\" ]]
	[[ "$stderr" == *"sysfence: 2 refused calls:"* ]]
	[ ! -e x ] && [ ! -e y ]
}

@test "--explain does not change the outcome: ERRNO, ERRNO(13), KILL_PROCESS, KILL" {
	local p
	action_profile killp SCMP_ACT_KILL_PROCESS
	for p in "$MKDIR_DENY" "$R/mkdir-errno13.json" "$TMP/killp.json" "$R/mkdir-kill.json"; do
		outcome plain "$SYSFENCE" run -p "$p" -- busybox sh -c 'echo start; busybox mkdir foo; echo "mkdir: $?"'
		outcome explained "$SYSFENCE" run --explain-log "$TMP/log" -p "$p" -- \
			busybox sh -c 'echo start; busybox mkdir foo; echo "mkdir: $?"'
		echo "$p: $(cat "$TMP/plain.status") / $(cat "$TMP/explained.status")"
		same_outcome plain explained
		grep -q "refused call" "$TMP/log"
	done
	[ ! -e foo ]
}

@test "--explain does not change the outcome: a profile that kills read, for a command that never reads" {
	# `busybox echo` makes no read(2). Without --explain it runs; under --explain
	# sysfence's own wait for the supervisor (a read before execve) must not be judged.
	cat >readkill.json <<'EOF'
{
	"defaultAction": "SCMP_ACT_ALLOW",
	"syscalls": [{ "names": ["read"], "action": "SCMP_ACT_KILL_PROCESS" }]
}
EOF
	outcome plain "$SYSFENCE" run -p readkill.json -- busybox echo hello
	[ "$(cat "$TMP/plain.status")" -eq 0 ]
	[ "$(cat "$TMP/plain.out")" = hello ]
	outcome explained "$SYSFENCE" run --explain-log "$TMP/log" -p readkill.json -- busybox echo hello
	cat "$TMP/log"
	same_outcome plain explained
	# and no report names sysfence's own executable
	! grep -F "$(readlink -f "$SYSFENCE")" "$TMP/log"
}

@test "--explain: a process that outlives the command still gets the profile's errno" {
	# without --explain the late mkdir fails with EPERM; the supervisor must keep answering
	# while anything under the filter is alive (or the call would get ENOSYS)
	run "$SYSFENCE" run -p "$MKDIR_DENY" -- sh -c '(sleep 0.3; busybox mkdir late) & exit 0'
	[ "$status" -eq 0 ]
	[[ "$output" == *"can't create directory 'late': Operation not permitted"* ]]
	run "$SYSFENCE" run --explain -p "$MKDIR_DENY" -- sh -c '(sleep 0.3; busybox mkdir late) & exit 0'
	[ "$status" -eq 0 ]
	echo "$output"
	[[ "$output" == *"can't create directory 'late': Operation not permitted"* ]]
	[[ "$output" =~ mkdir(at)?\((AT_FDCWD,\ )?\"late\" ]]
	[ ! -e late ]
}

@test "--explain forwards SIGTERM to the command" {
	"$SYSFENCE" run --explain -p "$MKDIR_DENY" -- sleep 10 &
	local pid=$! st=0
	sleep 0.3
	kill -TERM "$pid"
	wait "$pid" || st=$?
	[ "$st" -eq 143 ]
}

# ---------------------------------------------------------------------------------------
# side doors: i386 and x32 calls from a 64-bit process

@test "int \$0x80 (i386 mkdir): the profile's X86 rules when listed, the bad-arch action if not" {
	need_x86_64
	# unconfined, it works
	run "$BIN/sidedoor" i386-mkdir free
	[ "$status" -eq 0 ]
	[ -d free ]
	# mkdir-deny lists SCMP_ARCH_X86: the i386 mkdir (39) is refused as the x86_64 one is
	run "$SYSFENCE" run -p "$MKDIR_DENY" -- "$BIN/sidedoor" i386-mkdir d
	[ "$status" -eq 1 ]
	[ "$output" = "errno 1 (Operation not permitted)" ]
	[ ! -e d ]
	# without SCMP_ARCH_X86: KILL_THREAD, the only thread, SIGSYS
	run "$SYSFENCE" run -p "$R/mkdir-x86_64-only.json" -- "$BIN/sidedoor" i386-mkdir d
	[ "$status" -eq 159 ]
	[ ! -e d ]
	# --bad-arch chooses the action
	run "$SYSFENCE" run -p "$R/mkdir-x86_64-only.json" --bad-arch 'ERRNO(13)' -- "$BIN/sidedoor" i386-mkdir d
	[ "$status" -eq 1 ]
	[ "$output" = "errno 13 (Permission denied)" ]
	[ ! -e d ]
	# the native call is judged as usual
	run "$SYSFENCE" run -p "$R/mkdir-x86_64-only.json" -- "$BIN/sidedoor" mkdir d
	[ "$output" = "errno 1 (Operation not permitted)" ]
}

@test "--explain names the ABI of an i386 call and its bad-arch outcome" {
	need_x86_64
	run --separate-stderr "$SYSFENCE" run --explain -p "$R/mkdir-x86_64-only.json" -- "$BIN/sidedoor" i386-mkdir d
	[ "$status" -eq 159 ]
	echo "$stderr"
	# (the registers after the second argument are whatever the caller left there)
	[[ "$stderr" =~ :\ x86\ mkdir\(\"d\",\ 493[^\)]*\)\ -\>\ KILL_THREAD ]]
	[[ "$stderr" =~ \ 1\ +x86\ +mkdir\ +KILL_THREAD ]]
	run --separate-stderr "$SYSFENCE" run --explain -p "$MKDIR_DENY" -- "$BIN/sidedoor" i386-mkdir d
	[ "$status" -eq 1 ]
	[[ "$stderr" =~ :\ x86\ mkdir\(\"d\",\ 493[^\)]*\)\ -\>\ ERRNO\(1\) ]]
	[ ! -e d ]
}

@test "x32 syscall numbers: the profile's X32 rules when listed, the bad-arch action if not" {
	need_x86_64
	# listed: mkdir is refused by the rule (before the kernel would even look for x32)
	run "$SYSFENCE" run -p "$MKDIR_DENY" -- "$BIN/sidedoor" x32-mkdir d
	[ "$status" -eq 1 ]
	[ "$output" = "errno 1 (Operation not permitted)" ]
	# not listed: the bad-arch action
	run "$SYSFENCE" run -p "$R/mkdir-x86_64-only.json" -- "$BIN/sidedoor" x32-mkdir d
	[ "$status" -eq 159 ]
	[ ! -e d ]
}

@test "socket for AF_INET only: AF_VSOCK through i386 socketcall is refused" {
	need_x86_64
	# unconfined, all four work (an AF_VSOCK socket can be made without a vsock device)
	run "$BIN/sidedoor" socketcall 40
	[ "$status" -eq 0 ] || skip "AF_VSOCK sockets are not available here: $output"
	run "$SYSFENCE" run -p "$R/socket-inet.json" -- "$BIN/sidedoor" socketcall 40
	[ "$status" -eq 1 ]
	[ "$output" = "errno 1 (Operation not permitted)" ]
	# the direct i386 socket (359) shows its family to the filter
	run "$SYSFENCE" run -p "$R/socket-inet.json" -- "$BIN/sidedoor" i386-socket 40
	[ "$output" = "errno 1 (Operation not permitted)" ]
	run "$SYSFENCE" run -p "$R/socket-inet.json" -- "$BIN/sidedoor" i386-socket 2
	[ "$status" -eq 0 ]
}

@test "an allowlist with socket for AF_INET only: socketcall cannot widen it" {
	need_x86_64
	need_builtins
	run "$BIN/sidedoor" socketcall 40
	[ "$status" -eq 0 ] || skip "AF_VSOCK sockets are not available here: $output"
	# Docker's profile without socketcall, and socket only for AF_INET
	"$SYSFENCE" show @runtime-default --resolve -o json | python3 -c '
import json, sys
p = json.load(sys.stdin)
rules = []
for r in p["syscalls"]:
    names = [n for n in r["names"] if n not in ("socket", "socketcall")]
    if names:
        r["names"] = names
        rules.append(r)
rules.append({"names": ["socket"], "action": "SCMP_ACT_ALLOW",
              "args": [{"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}]})
p["syscalls"] = rules
assert "SCMP_ARCH_X86" in p["architectures"], p["architectures"]
json.dump(p, sys.stdout)
' >inet-only.json
	run "$SYSFENCE" run -p inet-only.json -- "$BIN/sidedoor" socketcall 40
	[ "$output" = "errno 1 (Operation not permitted)" ]
	run "$SYSFENCE" run -p inet-only.json -- "$BIN/sidedoor" i386-socket 40
	[ "$output" = "errno 1 (Operation not permitted)" ]
	run "$SYSFENCE" run -p inet-only.json -- "$BIN/sidedoor" i386-socket 2
	[ "$status" -eq 0 ]
	run "$SYSFENCE" run -p inet-only.json -- "$BIN/probe" inet vsock
	[ "$output" = $'inet ok\nvsock EPERM' ]
}

# ---------------------------------------------------------------------------------------
# argument rules

@test "argument rules: socket allowed for AF_INET only" {
	run "$SYSFENCE" run -p "$R/socket-inet.json" -- "$PY" -c 'import socket; socket.socket(socket.AF_INET6)'
	[ "$status" -eq 1 ]
	[[ "$output" == *"PermissionError: [Errno 1] Operation not permitted"* ]]
	run "$SYSFENCE" run -p "$R/socket-inet.json" -- "$PY" -c 'import socket; s = socket.socket(socket.AF_INET); print(s.family.name)'
	[ "$status" -eq 0 ]
	[ "$output" = AF_INET ]
	run "$SYSFENCE" run -p "$R/socket-inet.json" -- "$PY" -c 'import socket; socket.socket(socket.AF_UNIX)'
	[ "$status" -eq 1 ]
}

@test "argument rules: personality values (a repeated index makes separate rules, as runc)" {
	need_x86_64
	run "$SYSFENCE" run -p "$R/personality.json" -- "$BIN/probe" personality=0xffffffff \
		personality=0x40000 personality=0 personality=0x20000 personality=8 personality=0xffffffff
	[ "$status" -eq 0 ]
	[ "$output" = "personality=0xffffffff ok
personality=0x40000 EACCES
personality=0 ok
personality=0x20000 EACCES
personality=8 ok
personality=0xffffffff ok" ]
}

# ---------------------------------------------------------------------------------------
# the built-in @runtime-default

@test "@runtime-default refuses keyctl, unshare, mount, reboot, namespaces, clone3, AF_VSOCK, kexec_load, bpf" {
	need_x86_64
	need_builtins
	local calls="keyctl unshare mount reboot clone-newnet clone-plain clone3 vsock inet kexec_load bpf"
	# unconfined, none of them is EPERM (and clone3 with a bad size is EINVAL)
	run "$BIN/probe" $calls
	[[ "$output" != *EPERM* ]]
	[[ "$output" == *"clone3 EINVAL"* ]]
	run "$SYSFENCE" run -p @runtime-default -- "$BIN/probe" $calls
	[ "$status" -eq 0 ]
	[ "$output" = "keyctl EPERM
unshare EPERM
mount EPERM
reboot EPERM
clone-newnet EPERM
clone-plain ok
clone3 ENOSYS
vsock EPERM
inet ok
kexec_load EPERM
bpf EPERM" ]
	# the default profile is @runtime-default
	run "$SYSFENCE" run -- "$BIN/probe" keyctl clone3
	[ "$output" = $'keyctl EPERM\nclone3 ENOSYS' ]
	# personality: Docker's values only
	run "$SYSFENCE" run -- "$BIN/probe" personality=0xffffffff personality=0x40000 personality=8 personality=0
	[ "$output" = $'personality=0xffffffff ok\npersonality=0x40000 EPERM\npersonality=8 ok\npersonality=0 ok' ]
}

@test "@unconfined, @audit and @deny-all" {
	need_builtins
	run "$SYSFENCE" run -p @unconfined -- sh -c 'grep "^Seccomp:" /proc/self/status; busybox mkdir u'
	[ "$status" -eq 0 ]
	[[ "$output" == *"Seccomp:"*0* ]]
	[ -d u ]
	# @audit allows (and logs) everything
	run "$SYSFENCE" run -p @audit -- sh -c 'grep "^Seccomp:" /proc/self/status; busybox mkdir a'
	[ "$status" -eq 0 ]
	[[ "$output" == *"Seccomp:"*2* ]]
	[ -d a ]
	# @deny-all: not even execve gets through
	run "$SYSFENCE" run -p @deny-all -- busybox touch ran
	[ "$status" -eq 126 ]
	[ ! -e ran ]
}

@test "@runtime-default: unshare -n fails" {
	need_builtins
	command -v unshare >/dev/null || skip "unshare(1) not installed"
	[ "$(id -u)" = 0 ] || skip "needs root (unconfined, unshare -n must work)"
	unshare -n true
	run "$SYSFENCE" run -p @runtime-default -- unshare -n true
	[ "$status" -ne 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
}

@test "@runtime-default runs ordinary work: a pipeline, python threads, TCP on 127.0.0.1" {
	need_builtins
	run "$SYSFENCE" run -p @runtime-default -- sh -c 'printf "b\na\nc\n" | sort | tr a-z A-Z | head -n 2'
	[ "$status" -eq 0 ]
	[ "$output" = $'A\nB' ]
	run "$SYSFENCE" run -p @runtime-default -- "$PY" -c '
import threading
out = []
ts = [threading.Thread(target=lambda i=i: out.append(i * i)) for i in range(8)]
[t.start() for t in ts]
[t.join() for t in ts]
print(sum(out))'
	[ "$status" -eq 0 ]
	[ "$output" = 140 ]
	run "$SYSFENCE" run -p @runtime-default -- "$PY" "$R/tcp.py"
	[ "$status" -eq 0 ]
	[ "$output" = HELLO ]
}

@test "@runtime-default: ptrace follows minKernel 4.8" {
	need_x86_64
	need_builtins
	run "$SYSFENCE" run -p @runtime-default -- "$BIN/probe" ptrace
	[ "$output" = "ptrace ok" ]
	if command -v strace >/dev/null; then
		run "$SYSFENCE" run -p @runtime-default -- strace -f -o /dev/null true
		[ "$status" -eq 0 ]
	fi
	names() {
		"$SYSFENCE" show @runtime-default "$@" -o json |
			python3 -c 'import json, sys; print(" ".join(sorted({n for r in json.load(sys.stdin)["syscalls"] for n in r["names"]})))'
	}
	[[ " $(names --kernel 4.8) " == *" ptrace "* ]]
	[[ " $(names --kernel 4.4) " != *" ptrace "* ]]
	# and run resolves it the same way
	run "$SYSFENCE" run -p @runtime-default --kernel 4.4 -- "$BIN/probe" ptrace
	[ "$output" = "ptrace EPERM" ]
}

# ---------------------------------------------------------------------------------------
# the same commands under crun

@test "crun agrees: mkdir under ERRNO(1), KILL and ERRNO(13)" {
	type crun_compare >/dev/null 2>&1 || skip "tests/integration/lib/crun.bash is not there"
	crun_require
	local p
	for p in "$MKDIR_DENY" "$R/mkdir-kill.json" "$R/mkdir-errno13.json"; do
		crun_compare "$p" -- sh -c 'echo before; mkdir /tmp/d; echo "after $?"'
		echo "$p: status $crun_status, stderr $crun_stderr"
	done
	crun_compare "$MKDIR_DENY" -- mkdir /tmp/d
	[ "$crun_status" -eq 1 ]
	[[ "$crun_stderr" == *"can't create directory '/tmp/d': Operation not permitted"* ]]
	crun_compare "$R/mkdir-errno13.json" -- mkdir /tmp/d
	[ "$crun_status" -eq 1 ]
	[[ "$crun_stderr" == *"Permission denied"* ]]
	crun_compare "$R/mkdir-kill.json" -- mkdir /tmp/d
	[ "$crun_status" -eq 159 ]
}
