#!/usr/bin/env bats
# The crun harness (lib/crun.bash) itself: profiles applied by a real OCI
# runtime, exit statuses, crun's own failures, and crun_compare.

setup() {
	load lib/crun
	SYSFENCE=${SYSFENCE:-$BATS_TEST_DIRNAME/../../build/sysfence}
	DATA=$BATS_TEST_DIRNAME/../data
	crun_require
}

# profile NAME ACTION [ERRNO] [SYSCALL...]: a deny list in $BATS_TEST_TMPDIR/NAME.json
# (default ALLOW; the syscalls, mkdir and mkdirat unless given, get ACTION)
profile() {
	local name=$1 action=$2 errno=${3:-} names
	shift 3 || shift $#
	[ $# -gt 0 ] || set -- mkdir mkdirat
	names=$(printf '"%s",' "$@")
	{
		printf '{\n\t"defaultAction": "SCMP_ACT_ALLOW",\n'
		printf '\t"architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],\n'
		printf '\t"syscalls": [{ "names": [%s], "action": "%s"' "${names%,}" "$action"
		[ -z "$errno" ] || printf ', "errnoRet": %s' "$errno"
		printf ' }]\n}\n'
	} >"$BATS_TEST_TMPDIR/$name.json"
	echo "$BATS_TEST_TMPDIR/$name.json"
}

@test "crun: the availability answer is cached for the run" {
	[ "$(cat "$BATS_RUN_TMPDIR/crun-available")" = ok ]
	[ -x "$BATS_RUN_TMPDIR/crun-cache/bundle/rootfs/bin/busybox" ]
	[ -L "$BATS_RUN_TMPDIR/crun-cache/bundle/rootfs/bin/sh" ]
}

@test "crun: a container without seccomp runs echo hi" {
	crun_run none -- echo hi
	[ "$crun_status" -eq 0 ]
	[ "$crun_stdout" = hi ]
	[ -z "$crun_stderr" ]
	[ -z "$crun_log" ]
	crun_run none -- grep Seccomp: /proc/self/status
	[ "$crun_stdout" = "Seccomp:	0" ]
}

@test "crun: exit statuses and both output streams pass through" {
	crun_run none -- sh -c 'echo out; echo err >&2; exit 7'
	[ "$crun_status" -eq 7 ]
	[ "$crun_stdout" = out ]
	[ "$crun_stderr" = err ]
	# a child killed by a signal: the shell's 128+N
	crun_run none -- sh -c 'sleep 10 & kill -TERM $!; wait $!'
	[ "$crun_status" -eq 143 ]
}

@test "crun: PID 1 of the container ignores signals it sends itself" {
	crun_run none -- sh -c 'kill -TERM $$; kill -KILL $$; echo still here'
	[ "$crun_status" -eq 0 ]
	[ "$crun_stdout" = "still here" ]
}

@test "crun: ERRNO 1 on mkdir/mkdirat: mkdir fails with Operation not permitted, echo works" {
	p=$(profile mkdir-eperm SCMP_ACT_ERRNO 1)
	crun_run "$p" -- mkdir /tmp/x
	[ "$crun_status" -eq 1 ]
	[ "$crun_stderr" = "mkdir: can't create directory '/tmp/x': Operation not permitted" ]
	[ -z "$crun_log" ]
	crun_run "$p" -- echo works
	[ "$crun_status" -eq 0 ]
	[ "$crun_stdout" = works ]
	crun_run "$p" -- grep Seccomp: /proc/self/status
	[ "$crun_stdout" = "Seccomp:	2" ]
	crun_run "$p" -- ls -d /tmp/x
	[ "$crun_status" -eq 1 ]
	# the repository's own demo profile ("comment" fields are dropped for crun)
	crun_run "$DATA/mkdir-deny.json" -- mkdir /tmp/y
	[ "$crun_status" -eq 1 ]
	[[ "$crun_stderr" == *"Operation not permitted" ]]
}

@test "crun: ERRNO 13 gives Permission denied" {
	p=$(profile mkdir-eacces SCMP_ACT_ERRNO 13)
	crun_run "$p" -- mkdir /tmp/x
	[ "$crun_status" -eq 1 ]
	[ "$crun_stderr" = "mkdir: can't create directory '/tmp/x': Permission denied" ]
}

@test "crun: KILL_PROCESS, KILL and TRAP on mkdir: crun reports 159 (128+SIGSYS)" {
	for action in SCMP_ACT_KILL_PROCESS SCMP_ACT_KILL SCMP_ACT_TRAP; do
		p=$(profile "kill-$action" "$action")
		crun_run "$p" -- mkdir /tmp/x
		echo "$action: $crun_status"
		[ "$crun_status" -eq 159 ]
		[ -z "$crun_stderr" ] && [ -z "$crun_log" ]
		# not PID 1: the shell sees its child die the same way
		crun_run "$p" -- sh -c 'mkdir /tmp/x; echo $?'
		[ "$crun_status" -eq 0 ]
		[ "$crun_stdout" = 159 ]
	done
}

@test "crun: YAML profiles and a rule's singular name are converted" {
	cat >"$BATS_TEST_TMPDIR/deny.yaml" <<-'EOF'
	defaultAction: SCMP_ACT_ALLOW
	architectures: [SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32]
	syscalls:
	  - names: [mkdir, mkdirat]
	    action: SCMP_ACT_ERRNO
	    errnoRet: 13
	    comment: dropped for crun
	EOF
	crun_run "$BATS_TEST_TMPDIR/deny.yaml" -- mkdir /tmp/x
	[ "$crun_status" -eq 1 ]
	[[ "$crun_stderr" == *"Permission denied" ]]
	cat >"$BATS_TEST_TMPDIR/single.json" <<-'EOF'
	{ "defaultAction": "SCMP_ACT_ALLOW",
	  "syscalls": [ { "name": "mkdirat", "action": "SCMP_ACT_ERRNO", "errnoRet": 1 },
	                { "name": "mkdir", "action": "SCMP_ACT_ERRNO", "errnoRet": 1 } ] }
	EOF
	crun_run "$BATS_TEST_TMPDIR/single.json" -- mkdir /tmp/x
	[ "$crun_status" -eq 1 ]
	[[ "$crun_stderr" == *"Operation not permitted" ]]
}

@test "crun: crun's own failures are told apart from the command's" {
	# crun refuses errnoRet on a KILL action
	p=$(profile bad-errno SCMP_ACT_KILL_PROCESS 1)
	crun_run "$p" -- mkdir /tmp/x 2>"$BATS_TEST_TMPDIR/msg" && false
	[ "$crun_status" -eq 1 ]
	[ "$crun_log" = "errno value specified for action \`SCMP_ACT_KILL_PROCESS\`" ]
	[ -z "$crun_stderr" ]
	grep -q 'crun failed' "$BATS_TEST_TMPDIR/msg"
	# no such command
	crun_run none -- no-such-command 2>/dev/null && false
	[ "$crun_status" -eq 1 ]
	[[ "$crun_log" == *"no-such-command"*"not found"* ]]
	# an allowlist without execve: crun, already filtered, fails to exec and
	# can no longer open its log file; its JSON message lands on stderr
	cat >"$BATS_TEST_TMPDIR/noexec.json" <<-'EOF'
	{ "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
	  "syscalls": [ { "names": ["read", "write", "exit", "exit_group", "close"],
	                  "action": "SCMP_ACT_ALLOW" } ] }
	EOF
	crun_run "$BATS_TEST_TMPDIR/noexec.json" -- echo hi 2>/dev/null && false
	[ "$crun_status" -eq 1 ]
	[ "$crun_log" = "exec container process \`/bin/echo\`: Operation not permitted" ]
	[ -z "$crun_stderr" ]
	# a bad profile is the harness's error, before crun runs
	echo '{ not json' >"$BATS_TEST_TMPDIR/broken.json"
	crun_run "$BATS_TEST_TMPDIR/broken.json" -- echo hi 2>/dev/null && false
	[[ "$crun_log" == *"is not JSON"* ]]
	# usage
	crun_run none echo hi 2>/dev/null && false
	true
}

@test "crun: a kept bundle, a fresh bundle and a read-only --mount" {
	crun_run none -- mkdir /tmp/kept
	[ "$crun_status" -eq 0 ]
	crun_run none -- ls -d /tmp/kept
	[ "$crun_status" -eq 0 ]
	crun_bundle "$BATS_TEST_TMPDIR/fresh"
	crun_run --bundle "$BATS_TEST_TMPDIR/fresh" none -- ls -d /tmp/kept
	[ "$crun_status" -eq 1 ]
	mkdir "$BATS_TEST_TMPDIR/host"
	echo from-host >"$BATS_TEST_TMPDIR/host/file"
	crun_run --mount "$BATS_TEST_TMPDIR/host:/mnt/host" none -- cat /mnt/host/file
	[ "$crun_stdout" = from-host ]
	crun_run --mount "$BATS_TEST_TMPDIR/host:/mnt/host" none -- touch /mnt/host/new
	[ "$crun_status" -eq 1 ]
	[[ "$crun_stderr" == *"Read-only file system" ]]
	# the mounts do not pile up in the kept bundle
	crun_run none -- ls /mnt/host/file
	[ "$crun_status" -eq 1 ]
}

@test "crun: a run past CRUN_TIMEOUT is killed and deleted" {
	CRUN_TIMEOUT=1 CRUN_KILL_AFTER=1 crun_run none -- sleep 37 2>"$BATS_TEST_TMPDIR/msg" && false
	grep -q 'timed out' "$BATS_TEST_TMPDIR/msg"
	[ -z "$(crun --root="$BATS_RUN_TMPDIR/crun-state" list -q 2>/dev/null)" ]
	[ -z "$(ps -eo args | grep -x 'sleep 37')" ]
}

# a stand-in for `sysfence run` that ignores the profile: crun_compare must
# find both agreement and disagreement
stub_sysfence() {
	cat >"$BATS_TEST_TMPDIR/stub" <<-'EOF'
	#!/bin/sh
	[ "$1" = run ] && [ "$2" = --profile ] && [ -f "$3" ] && [ "$4" = -- ] || exit 99
	if [ "$5" = --help ]; then exit 0; fi
	shift 4
	echo "sysfence: a diagnostic crun_normalise drops" >&2
	exec "$@"
	EOF
	chmod +x "$BATS_TEST_TMPDIR/stub"
	SYSFENCE=$BATS_TEST_TMPDIR/stub
}

@test "crun_compare: agreement and disagreement (stand-in sysfence)" {
	stub_sysfence
	p=$(profile mkdir-eperm SCMP_ACT_ERRNO 1)
	crun_compare "$p" -- sh -c 'echo hi; echo err >&2; exit 3'
	[ "$crun_status" -eq 3 ] && [ "$sysfence_status" -eq 3 ]
	[ "$sysfence_stdout" = hi ]
	# the stand-in does not filter, so mkdir succeeds there
	crun_compare "$p" -- mkdir /tmp/x 2>"$BATS_TEST_TMPDIR/msg" && false
	[ "$crun_status" -eq 1 ] && [ "$sysfence_status" -eq 0 ]
	grep -q 'exit status: crun 1, sysfence run 0' "$BATS_TEST_TMPDIR/msg"
	# /.sysfence is empty on the crun side only
	crun_compare "$p" -- ls -a /
	crun_compare "$p" -- ls /.sysfence 2>/dev/null && false
	[ -z "$crun_stdout" ] && [[ "$sysfence_stdout" == *sysfence* ]]
	crun_compare --no-stdout "$p" -- ls /.sysfence
}

@test "crun_compare: sysfence run agrees with crun on ERRNO 1" {
	sysfence_run_require
	p=$(profile mkdir-eperm SCMP_ACT_ERRNO 1)
	crun_compare "$p" -- mkdir /tmp/x
	[ "$crun_status" -eq 1 ]
	crun_compare "$p" -- echo works
	crun_compare "$DATA/mkdir-deny.json" -- sh -c 'mkdir /tmp/a; mkdir -p /tmp/b/c; echo $?'
}

@test "crun_compare: sysfence run agrees with crun on ERRNO 13" {
	sysfence_run_require
	p=$(profile mkdir-eacces SCMP_ACT_ERRNO 13)
	crun_compare "$p" -- mkdir /tmp/x
	[[ "$sysfence_stderr" == *"Permission denied" ]]
}

@test "crun_compare: sysfence run agrees with crun on KILL_PROCESS (159)" {
	sysfence_run_require
	p=$(profile mkdir-kill SCMP_ACT_KILL_PROCESS)
	crun_compare "$p" -- mkdir /tmp/x
	[ "$sysfence_status" -eq 159 ]
	crun_compare "$p" -- sh -c 'mkdir /tmp/x; echo $?'
	crun_compare "$(profile mkdir-trap SCMP_ACT_TRAP)" -- mkdir /tmp/x
}
