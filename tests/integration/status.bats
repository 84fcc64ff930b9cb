#!/usr/bin/env bats
# sysfence status: real processes — unconfined, under `sysfence run`, inside a crun container
# with Docker's default profile, with no_new_privs, with dropped capabilities — read from /proc
# and, as root, their filters through ptrace; --all; and the limits: status itself under
# seccomp, a target traced by strace, a caller without CAP_SYS_ADMIN. JSON checked with python3.
#
# Needs root for most tests (filters, crun); the ABI checks expect an x86_64 host.
# About 10 s, most of it the crun container.

bats_require_minimum_version 1.5.0

setup_file() {
	export PY
	PY=$(python3 -c 'import sys; print(sys.executable)')
}

setup() {
	load lib/crun
	load lib/procs
	SYSFENCE=${SYSFENCE:-$BATS_TEST_DIRNAME/../../build/sysfence}
	SHARED=${SYSFENCE_SHARED:-$BATS_TEST_DIRNAME/../../../shared}
	procs_setup
}

teardown() {
	procs_teardown
}

# start CMD...: run CMD in the background (its own pid is $!, wrappers exec), set $pid
start() {
	"$@" </dev/null >/dev/null 2>&1 3>&- &
	pid=$!
	disown "$pid" # killed in teardown without a "Killed" line
	PIDS+=("$pid")
	wait_exec "$pid" sleep
}

# pyjson EXPR...: run python statements with d = the JSON of $output, p = its first process
pyjson() {
	"$PY" -c 'import json, sys
d = json.loads(sys.stdin.read())
p = d["processes"][0] if d["processes"] else None
exec(sys.argv[1])' "$1" <<<"$output"
}

@test "status: help, usage errors, a process that does not exist" {
	run "$SYSFENCE" status --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"usage: sysfence status"* ]]
	[[ "$output" == *"CONFIG_CHECKPOINT_RESTORE"* ]]
	run "$SYSFENCE" help
	[[ "$output" == *"status"* ]]
	run "$SYSFENCE" status --all 1
	[ "$status" -eq 2 ]
	run "$SYSFENCE" status nope
	[ "$status" -eq 2 ]
	[[ "$output" == *"'nope' is not a process ID"* ]]
	run "$SYSFENCE" status -o yaml
	[ "$status" -eq 2 ]
	run "$SYSFENCE" status --filters 1
	[ "$status" -eq 2 ]
	# a PID that does not exist is reported, the others still are
	run "$SYSFENCE" status 1073741823 $$
	[ "$status" -eq 1 ]
	[[ "$output" == *"no process 1073741823"* ]]
	[[ "$output" == *"process $$ ("* ]]
	run --separate-stderr "$SYSFENCE" status -o json 1073741823 $$
	[ "$status" -eq 1 ]
	pyjson 'assert d["not_found"] == [1073741823]; assert len(d["processes"]) == 1'
}

@test "status: an unconfined sleep" {
	start sleep 30
	run "$SYSFENCE" status "$pid"
	[ "$status" -eq 0 ]
	[[ "$output" == *"process $pid (sleep)"* ]]
	[[ "$output" == *"seccomp         disabled"* ]]
	[[ "$output" == *"no_new_privs    no"* ]]
	[[ "$output" == *"cap ambient     none"* ]]
	[[ "$output" != *"filters "* ]]
	run "$SYSFENCE" status -o json "$pid"
	[ "$status" -eq 0 ]
	pyjson '
assert p["pid"] == '"$pid"' and p["comm"] == "sleep"
assert p["exe"].endswith("/sleep"), p["exe"]
assert p["seccomp"] == {"mode": "disabled", "filters": 0}
assert p["no_new_privs"] is False
assert p["filters"]["status"] == "none" and p["filters"]["programs"] == []
assert p["filters"]["effective"] is None
assert p["container"] is None
assert p["kernel_thread"] is False
# the capability masks are /proc/PID/status'"'"'s
st = dict(l.split(":\t", 1) for l in open("/proc/'"$pid"'/status").read().splitlines() if ":\t" in l)
for key, name in (("CapEff", "effective"), ("CapBnd", "bounding"), ("CapAmb", "ambient")):
    assert int(st[key], 16) == int(p["capabilities"][name]["mask"], 16), key
assert p["capabilities"]["ambient"]["summary"] == "none"
assert p["namespaces"]["differing"] == []
'
}

@test "status: a sleep under sysfence run --profile @runtime-default" {
	need_root
	need_x86_64
	start "$SYSFENCE" run --profile @runtime-default -- sleep 30
	run "$SYSFENCE" status "$pid"
	[ "$status" -eq 0 ]
	[[ "$output" == *"seccomp         filter, 1 filter"* ]]
	[[ "$output" == *"no_new_privs    yes"* ]]
	[[ "$output" == *"filters         1 read with PTRACE_SECCOMP_GET_FILTER"* ]]
	[[ "$output" == *"x86_64: "*" allowed, "*" refused"*"most common ALLOW"* ]]
	[[ "$output" == *"refused ERRNO(1): "*"reboot"* ]]
	[[ "$output" == *"kexec_load"* ]]
	[[ "$output" == *"depend on arguments: "*"personality (ALLOW)"* ]]
	[[ "$output" == *"x86 calls: "* && "$output" == *"x32 calls: "* ]]
	# the target goes on running after the brief stop
	[ "$(awk '/^State:/ {print $2}' "/proc/$pid/status")" = S ]
	[ "$(awk '/^TracerPid:/ {print $2}' "/proc/$pid/status")" = 0 ]
	run "$SYSFENCE" status -o json "$pid"
	[ "$status" -eq 0 ]
	pyjson '
assert p["seccomp"] == {"mode": "filter", "filters": 1}
assert p["no_new_privs"] is True
f = p["filters"]
assert f["status"] == "read" and f["reason"] is None
assert len(f["programs"]) == 1 and f["programs"][0]["instructions"] > 10
eff = {a["abi"]: a for a in f["effective"]}
assert list(eff) == ["x86_64", "x86", "x32"], list(eff)
x = eff["x86_64"]
assert "mkdir" in x["allowed"] and "read" in x["allowed"]
refused = {r["name"]: r["action"] for r in x["refused"]}
assert refused["reboot"] == "ERRNO(1)" and refused["kexec_load"] == "ERRNO(1)"
assert "mkdir" not in refused
cond = {c["name"] for c in x["conditional"]}
assert "personality" in cond, cond
assert x["allowed_count"] == len(x["allowed"]) and x["refused_count"] == len(x["refused"])
assert x["allowed_count"] + x["refused_count"] + x["conditional_count"] == x["syscalls"]
assert x["most_common"] == "ALLOW"
# i386 calls are checked too: reboot refused there as well
assert {r["name"] for r in eff["x86"]["refused"]} >= {"reboot", "kexec_load"}
assert f["programs"][0]["abis"] == f["effective"]
'
}

@test "status: two stacked filters, each summarized and their effect together" {
	need_root
	need_x86_64
	start "$SYSFENCE" run --profile @runtime-default -- \
		"$SYSFENCE" run --profile "$BATS_TEST_DIRNAME/../data/mkdir-deny.json" -- sleep 30
	run "$SYSFENCE" status "$pid"
	[ "$status" -eq 0 ]
	[[ "$output" == *"seccomp         filter, 2 filters"* ]]
	[[ "$output" == *"filter 2        "*" instructions"*"x86_64: "*" syscalls: "*", 2 refused, 0 depend"* ]]
	[[ "$output" == *"effect          all 2 together"* ]]
	run "$SYSFENCE" status -o json "$pid"
	[ "$status" -eq 0 ]
	pyjson '
f = p["filters"]
assert [len(q["abis"]) for q in f["programs"]] == [3, 3]
first = {r["name"] for r in f["programs"][0]["abis"][0]["refused"]}
second = {r["name"] for r in f["programs"][1]["abis"][0]["refused"]}
both = {r["name"]: r["action"] for r in f["effective"][0]["refused"]}
assert second == {"mkdir", "mkdirat"}, second
assert "mkdir" not in first and "reboot" in first
assert set(both) == first | second and both["mkdir"] == "ERRNO(1)"
'
}

@test "status: a busybox sleep in a crun container with Docker's default profile" {
	need_root
	need_x86_64
	crun_require
	crun_docker_sleep "$BATS_TEST_TMPDIR"
	run "$SYSFENCE" status "$pid"
	[ "$status" -eq 0 ]
	[[ "$output" == *"seccomp         filter, 1 filter"* ]]
	[[ "$output" == *"no_new_privs    yes"* ]]
	[[ "$output" == *"cap effective   CAP_KILL, CAP_NET_BIND_SERVICE, CAP_AUDIT_WRITE"* ]]
	[[ "$output" == *"cap bounding    CAP_KILL, CAP_NET_BIND_SERVICE, CAP_AUDIT_WRITE"* ]]
	[[ "$output" =~ namespaces\ +not\ (PID\ 1|sysfence)\'s:\ mnt,\ pid,\ net,\ ipc,\ uts ]]
	[[ "$output" == *"refused ERRNO(1): "*"reboot"* ]]
	run "$SYSFENCE" status -o json "$pid"
	[ "$status" -eq 0 ]
	pyjson '
assert p["comm"] == "sleep" and p["exe"] == "/bin/busybox", p["exe"]
assert p["seccomp"]["mode"] == "filter" and p["no_new_privs"] is True
assert set(p["namespaces"]["differing"]) >= {"mnt", "pid", "net", "ipc", "uts"}
ns = p["namespaces"]["each"]["pid"]
assert ns["differs"] is True and ns["inode"] != ns["reference_inode"]
assert p["capabilities"]["effective"]["names"] == ["CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_AUDIT_WRITE"]
eff = {a["abi"]: a for a in p["filters"]["effective"]}
refused = {r["name"] for r in eff["x86_64"]["refused"]}
assert {"reboot", "kexec_load", "mount", "bpf"} <= refused
assert "mkdir" in eff["x86_64"]["allowed"]
'
	kill -KILL "$pid"
}

@test "status: no_new_privs set by setpriv" {
	command -v setpriv >/dev/null || skip "setpriv not installed"
	start setpriv --no-new-privs sleep 30
	run "$SYSFENCE" status "$pid"
	[ "$status" -eq 0 ]
	[[ "$output" == *"seccomp         disabled"* ]]
	[[ "$output" == *"no_new_privs    yes"* ]]
	run "$SYSFENCE" status -o json "$pid"
	pyjson 'assert p["no_new_privs"] is True and p["seccomp"]["mode"] == "disabled"'
}

@test "status: capabilities dropped with setpriv, and none for an unprivileged uid" {
	need_root
	command -v setpriv >/dev/null || skip "setpriv not installed"
	start setpriv --inh-caps=-all --bounding-set=-sys_admin,-net_raw sleep 30
	run "$SYSFENCE" status "$pid"
	[ "$status" -eq 0 ]
	[[ "$output" =~ cap\ bounding\ +all\ but\ CAP_NET_RAW,\ CAP_SYS_ADMIN ]]
	[[ "$output" =~ cap\ effective\ +all\ but\ CAP_NET_RAW,\ CAP_SYS_ADMIN ]]
	run "$SYSFENCE" status -o json "$pid"
	pyjson '
for s in ("effective", "permitted", "bounding"):
    n = p["capabilities"][s]["names"]
    assert "CAP_SYS_ADMIN" not in n and "CAP_NET_RAW" not in n and "CAP_CHOWN" in n, s
    assert int(p["capabilities"][s]["mask"], 16) & (1 << 21) == 0
assert p["capabilities"]["inheritable"]["names"] == []
'
	start setpriv --reuid=65534 --regid=65534 --clear-groups sleep 30
	run "$SYSFENCE" status "$pid"
	[ "$status" -eq 0 ]
	[[ "$output" == *"uid             65534 (effective 65534)"* ]]
	[[ "$output" == *"cap effective   none"* ]]
	[[ "$output" == *"cap permitted   none"* ]]
}

@test "status --all: the unconfined sleep and the confined one, without stopping anything" {
	need_root
	start sleep 30
	local free=$pid
	start "$SYSFENCE" run --profile @runtime-default -- sleep 30
	local confined=$pid
	run "$SYSFENCE" status --all
	[ "$status" -eq 0 ]
	[[ "$output" == *"PID  COMM"*"SECCOMP"*"NNP"*"CONTAINER"* ]]
	[[ "$output" =~ [[:space:]]$free\ +sleep\ +disabled\ +0\ +no\ +-\ +- ]]
	[[ "$output" =~ [[:space:]]$confined\ +sleep\ +filter\ +1\ +yes\ +-\ +not\ read:\ not\ asked\ for ]]
	[[ "$output" == *"kernel threads not shown"* ]]
	[[ "$output" != *"kthreadd"* ]]
	run "$SYSFENCE" status --all --filters
	[ "$status" -eq 0 ]
	[[ "$output" =~ [[:space:]]$confined\ +sleep\ +filter\ +1\ +yes\ +-\ +x86_64:\ [0-9]+\ allowed ]]
	run --separate-stderr "$SYSFENCE" status --all -o json
	[ "$status" -eq 0 ]
	pyjson '
by = {q["pid"]: q for q in d["processes"]}
assert by['"$free"']["seccomp"]["mode"] == "disabled"
assert by['"$confined"']["seccomp"] == {"mode": "filter", "filters": 1}
assert by['"$confined"']["filters"]["status"] == "not-asked"
assert not any(q["kernel_thread"] for q in d["processes"])
'
}

@test "status: run under seccomp itself, it says the filters cannot be read and why" {
	need_root
	start "$SYSFENCE" run --profile @runtime-default -- sleep 30
	run "$SYSFENCE" run --profile @runtime-default -- "$SYSFENCE" status "$pid"
	[ "$status" -eq 0 ]
	[[ "$output" == *"seccomp         filter, 1 filter"* ]]
	[[ "$output" == *"filters         not read: sysfence itself runs under seccomp"* ]]
	[[ "$output" == *"not inside a container or under sysfence run"* ]]
	[[ "$output" == *"mode and count only"* ]]
	run "$SYSFENCE" run --profile @runtime-default -- "$SYSFENCE" status -o json "$pid"
	[ "$status" -eq 0 ]
	pyjson '
assert p["seccomp"] == {"mode": "filter", "filters": 1}
f = p["filters"]
assert f["status"] == "caller-under-seccomp" and "seccomp" in f["reason"]
assert f["programs"] is None and f["effective"] is None
'
	# with no PID: its own process, which inherited the filter
	run "$SYSFENCE" run --profile @runtime-default -- "$SYSFENCE" status -o json
	[ "$status" -eq 0 ]
	pyjson '
assert p["comm"] == "sysfence" and p["seccomp"] == {"mode": "filter", "filters": 1}
assert p["filters"]["status"] == "caller-under-seccomp"
'
}

@test "status: a target traced by strace, a caller without CAP_SYS_ADMIN" {
	need_root
	command -v strace >/dev/null || skip "strace not installed"
	start "$SYSFENCE" run --profile @runtime-default -- sleep 30
	strace -p "$pid" -o /dev/null </dev/null >/dev/null 2>&1 3>&- &
	local tracer=$! i
	disown "$tracer"
	PIDS+=("$tracer")
	for i in $(seq 100); do
		[ "$(awk '/^TracerPid:/ {print $2}' "/proc/$pid/status")" = "$tracer" ] && break
		sleep 0.05
	done
	run "$SYSFENCE" status "$pid"
	[ "$status" -eq 0 ]
	[[ "$output" == *"filters         not read: the process is traced by another process"* ]]
	[[ "$output" == *"already traced by process $tracer"* ]]
	[[ "$output" == *"seccomp         filter, 1 filter"* ]]
	run "$SYSFENCE" status -o json "$pid"
	pyjson 'assert p["filters"]["status"] == "traced-by-another-process"'
	kill "$tracer"
	for i in $(seq 100); do
		[ "$(awk '/^TracerPid:/ {print $2}' "/proc/$pid/status")" = 0 ] && break
		sleep 0.05
	done

	command -v setpriv >/dev/null || skip "setpriv not installed"
	run setpriv --inh-caps=-all --bounding-set=-sys_admin -- "$SYSFENCE" status "$pid"
	[ "$status" -eq 0 ]
	[[ "$output" == *"filters         not read: sysfence lacks CAP_SYS_ADMIN"* ]]
	[[ "$output" == *"seccomp         filter, 1 filter"* ]]
	run setpriv --inh-caps=-all --bounding-set=-sys_admin -- "$SYSFENCE" status -o json "$pid"
	pyjson 'assert p["filters"]["status"] == "caller-lacks-cap-sys-admin", p["filters"]'
}
