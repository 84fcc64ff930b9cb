#!/usr/bin/env bats
# Profiles recorded on the host run the same workload in a real container: every workload of
# the record tests (coreutils in a pipeline, python3 with threads and a subprocess, a
# daemonizing program, a command killed by a signal, an HTTP client and server on 127.0.0.1, a
# 32-bit static program started from a 64-bit shell) is recorded with `sysfence record`, then run
# by crun with the recording as linux.seccomp, and must give the same output; something the
# recording did not do (mkdir) is refused there with EPERM. A recording made inside a container
# (sysfence record as its command) runs it there too, and `record --pid` follows a container's
# PID 1 and lets it run on.
#
# The container sees the host's programs: /usr, /lib and /lib64 are bound read-only, so `sh`,
# coreutils and /usr/bin/python3 are the very binaries that were recorded (PATH puts /usr/bin
# before the busybox of /bin). Recordings are made with the container's environment (PATH and
# TERM only, as `crun spec` writes them): dash, for one, calls getcwd when PWD is not set, and a
# recording made with the host's PWD would miss it. Expectations are for an x86_64 host with
# crun; about 10 s on 2 cores.

bats_require_minimum_version 1.5.0

if [ -f "$BATS_TEST_DIRNAME/lib/crun.bash" ]; then
	load lib/crun
fi
load lib/procs
load lib/record # after lib/procs: its need_x86_64 also wants the test programs

setup_file() {
	record_build_programs record-crun-bin
}

setup() {
	procs_setup
	record_setup
	command -v crun_available >/dev/null || skip "lib/crun.bash not there"
	crun_require
	need_x86_64
	PY=/usr/bin/python3
	[ -x "$PY" ] || skip "no /usr/bin/python3"
	DATA=$BATS_TEST_DIRNAME/../data
}

teardown() {
	procs_teardown
	record_teardown
}

# record ARGS...: sysfence record with the environment the container's process gets
record() {
	env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin TERM=xterm \
		"$SYSFENCE" record "$@"
}

# in_crun PROFILE -- CMD...: crun_run with the host's /usr, /lib and /lib64, the test programs at
# /rbin and the test data at /data, all read-only
in_crun() {
	crun_run --mount /usr:/usr --mount /lib:/lib --mount /lib64:/lib64 --mount "$RBIN:/rbin" \
		--mount "$DATA:/data" "$@"
}

# the recording must not be a blanket allow: the default refuses, mkdir is not in it
not_blanket() {
	python3 - "$1" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
assert p["defaultAction"] == "SCMP_ACT_ERRNO", p["defaultAction"]
names = {n for r in p["syscalls"] for n in r["names"]}
assert "mkdir" not in names and "mkdirat" not in names, "mkdir recorded"
EOF
}

@test "crun: coreutils in a pipeline under its recording; mkdir is refused" {
	local w='seq 1 200 | sort -rn | head -n 3'
	run record -o rec.json -- sh -c "$w"
	[ "$status" -eq 0 ]
	not_blanket rec.json
	in_crun rec.json -- sh -c "$w"
	[ "$crun_status" -eq 0 ]
	[ -z "$crun_stderr" ]
	[ "$crun_stdout" = "$(printf '200\n199\n198')" ]
	in_crun rec.json -- sh -c 'exec mkdir /tmp/d'
	[ "$crun_status" -ne 0 ]
	[[ "$crun_stderr" == *"cannot create directory '/tmp/d': Operation not permitted"* ]]
}

@test "crun: python3 with threads and a subprocess under its recording; mkdir is refused" {
	run record -o rec.json -- "$PY" "$DATA/record/threads.py"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = child ]
	not_blanket rec.json
	in_crun rec.json -- "$PY" /data/record/threads.py
	[ "$crun_status" -eq 0 ]
	[ -z "$crun_stderr" ]
	[ "$crun_stdout" = "$(printf 'threads [0, 1, 4, 9]\nchild')" ]
	in_crun rec.json -- "$PY" -c 'import os
try:
    os.mkdir("/tmp/d")
    print("made")
except PermissionError as e:
    print(e.errno)'
	[ "$crun_stdout" = 1 ]
}

@test "crun: a daemonizing program's detached child does its work under the recording" {
	# PID 1 of the container waits: when it ends, the kernel ends its pid namespace
	run record -o rec.json -- sh -c "$RBIN/daemon $TMP/marker; sleep 1; cat $TMP/marker"
	[ "$status" -eq 0 ]
	[ "$output" = done ]
	not_blanket rec.json
	in_crun rec.json -- sh -c '/rbin/daemon /tmp/marker; sleep 1; cat /tmp/marker'
	[ "$crun_status" -eq 0 ]
	[ -z "$crun_stderr" ]
	[ "$crun_stdout" = done ]
	# without the recording's sched_get_priority_max the child writes nothing
	python3 - rec.json <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
for r in p["syscalls"]:
    r["names"] = [n for n in r["names"] if n != "sched_get_priority_max"]
json.dump(p, open("less.json", "w"))
EOF
	in_crun less.json -- sh -c '/rbin/daemon /tmp/marker; sleep 1; cat /tmp/marker'
	[ "$crun_stdout" != done ]
}

@test "crun: a command killed by a signal under its recording gives the same status" {
	# a shell in between: the container's PID 1 ignores a signal it sends itself
	local w='sh -c "kill -SEGV \$\$"; echo "status $?"'
	run record -o rec.json -- sh -c "$w"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "status 139" ]
	not_blanket rec.json
	in_crun rec.json -- sh -c "$w"
	[ "$crun_status" -eq 0 ]
	[ "$crun_stderr" = "Segmentation fault" ]
	[ "$crun_stdout" = "status 139" ]
}

@test "crun: an HTTP server and client on 127.0.0.1 under their recording (and with --args)" {
	run record -o rec.json -- "$PY" "$DATA/record-more/client-server.py"
	[ "$status" -eq 0 ]
	[ "$output" = "http: got a listing" ]
	not_blanket rec.json
	run record --args -o args.json -- "$PY" "$DATA/record-more/client-server.py"
	[ "$status" -eq 0 ]
	# the container's own network namespace has its loopback up (crun brings it up)
	in_crun rec.json -- "$PY" /data/record-more/client-server.py
	[ "$crun_status" -eq 0 ]
	[ -z "$crun_stderr" ]
	[ "$crun_stdout" = "http: got a listing" ]
	in_crun args.json -- "$PY" /data/record-more/client-server.py netlink
	[ "$crun_status" -eq 0 ]
	[ -z "$crun_stderr" ]
	[ "$crun_stdout" = "$(printf 'http: got a listing\nnetlink: refused')" ]
}

@test "crun: a 32-bit static program from a 64-bit shell under its recording (two ABIs)" {
	[ -x "$RBIN/hello32" ] || skip "gcc -m32 -static is not available"
	run record -o rec.json -- sh -c "$RBIN/hello32"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from i386" ]
	grep -q SCMP_ARCH_X86\" rec.json
	in_crun rec.json -- sh -c /rbin/hello32
	[ "$crun_status" -eq 0 ]
	[ -z "$crun_stderr" ]
	[ "$crun_stdout" = "hello from i386" ]
	# the i386 half is needed: without it, the 32-bit program cannot even start
	python3 - rec.json <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
p["architectures"] = ["SCMP_ARCH_X86_64"]
json.dump(p, open("native.json", "w"))
EOF
	in_crun native.json -- sh -c '/rbin/hello32; echo "status $?"'
	[ "$crun_stdout" != "hello from i386"* ]
}

@test "crun: recorded inside the container (record as its command), the profile runs it there" {
	local b=$BATS_TEST_TMPDIR/bundle launch
	crun_bundle "$b"
	mapfile -t launch < <(_crun_stage_sysfence "$BATS_TEST_TMPDIR/stage")
	[ ${#launch[@]} -gt 0 ]
	crun_run --bundle "$b" --mount "$BATS_TEST_TMPDIR/stage:/.sysfence" none -- \
		"${launch[@]}" record -o /tmp/rec.json -- /bin/sh -c 'echo hi; ls / >/dev/null'
	[ "$crun_status" -eq 0 ]
	[ "$crun_stdout" = hi ]
	not_blanket "$b/rootfs/tmp/rec.json"
	cp "$b/rootfs/tmp/rec.json" rec.json
	crun_run rec.json -- /bin/sh -c 'echo hi; ls / >/dev/null'
	[ "$crun_status" -eq 0 ]
	[ "$crun_stdout" = hi ]
	[ -z "$crun_stderr" ]
	crun_run rec.json -- /bin/sh -c 'mkdir /tmp/d'
	[ "$crun_status" -ne 0 ]
	[[ "$crun_stderr" == *"Operation not permitted"* ]]
}

@test "crun: --pid on a container's PID 1 records what it does next; the container runs on" {
	local b=$BATS_TEST_TMPDIR/bundle marker=0.1$RANDOM
	crun_bundle "$b"
	CRUN_TIMEOUT=60 crun_start "/bin/sh -c while sleep $marker.*" --bundle "$b" none -- \
		/bin/sh -c "while sleep $marker; do if [ -e /tmp/go ]; then mkdir -p /tmp/made; fi; done"
	record_pid_around "$pid" touch "$b/rootfs/tmp/go"
	names rec.json | grep -qx mkdir
	names rec.json | grep -qx wait4
	grep -q "detached from process $pid" err.txt
	# the container goes on, untraced
	grep -q '^TracerPid:.0$' "/proc/$pid/status"
	rmdir "$b/rootfs/tmp/made"
	sleep 0.5
	[ -d "$b/rootfs/tmp/made" ]
}
