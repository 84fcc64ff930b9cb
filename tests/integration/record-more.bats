#!/usr/bin/env bats
# sysfence record, growing and checking profiles: --args (argument conditions for socket,
# clone, ioctl, ...), sysfence merge and --merge, --base @runtime-default, snapshots (SIGUSR1,
# --snapshot-every), --report and --report-json, --verify, --format spo. Every profile is run
# again under `sysfence run` with the real programs (python3's http.server and urllib on
# 127.0.0.1, busybox, coreutils). Expectations are for an x86_64 host.
#
# About 25 s on 2 cores: python3 starts in each recording and each replay.

bats_require_minimum_version 1.5.0

if [ -f "$BATS_TEST_DIRNAME/lib/crun.bash" ]; then
	load lib/crun
fi
load lib/record

setup() {
	record_setup
	D=$BATS_TEST_DIRNAME/../data/record-more
	# python3 itself, not a wrapper script (pyenv's shims run bash first).
	PY=$(python3 -c 'import sys; print(sys.executable)')
}

teardown() {
	record_teardown
}

# wait_for COND...: up to 10 s for a test command to hold
wait_for() {
	for _ in $(seq 100); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

@test "--args: socket domains, ioctl requests, clone flags as conditions; the workload runs, AF_NETLINK is refused" {
	need_x86_64
	run "$SYSFENCE" record --args -o args.json -- "$PY" "$D/client-server.py"
	[ "$status" -eq 0 ]
	[ "$output" = "http: got a listing" ]
	python3 - args.json <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
rules = p["syscalls"]
plain = set(rules[0]["names"])
for n in ("socket", "clone", "ioctl", "clone3"):
    assert n not in plain, n
sock = [r for r in rules if r["names"] == ["socket"]]
assert [(r["action"], r["args"]) for r in sock] == [
    ("SCMP_ACT_ALLOW", [{"index": 0, "value": 2, "valueTwo": 0, "op": "SCMP_CMP_EQ"}])], sock
clone = [r for r in rules if r["names"] == ["clone"]]
assert clone and all(r["args"][0]["op"] == "SCMP_CMP_MASKED_EQ" and
                     r["args"][0]["value"] == 0x7E020000 for r in clone), clone
assert all(r["args"][0]["index"] == 1 for r in rules if r["names"] == ["ioctl"])
c3 = [r for r in rules if r["names"] == ["clone3"]]
assert c3 == [] or (c3[0]["action"] == "SCMP_ACT_ERRNO" and c3[0]["errnoRet"] == 38
                    and "ENOSYS" in c3[0]["comment"]), c3
EOF
	"$SYSFENCE" check args.json
	# the same workload under the profile
	run "$SYSFENCE" run --profile args.json -- "$PY" "$D/client-server.py"
	[ "$status" -eq 0 ]
	[ "$output" = "http: got a listing" ]
	# a socket of another domain: opened when recorded, refused under the profile
	run "$SYSFENCE" record --args -o args2.json -- "$PY" "$D/client-server.py" netlink
	[ "${lines[1]}" = "netlink: opened" ]
	run "$SYSFENCE" run --profile args.json -- "$PY" "$D/client-server.py" netlink
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "netlink: refused" ]
	# without --args socket is allowed whatever the domain
	"$SYSFENCE" record -o plain.json -- "$PY" "$D/client-server.py" >/dev/null
	run "$SYSFENCE" run --profile plain.json -- "$PY" "$D/client-server.py" netlink
	[ "${lines[1]}" = "netlink: opened" ]
}

@test "--args-max: more distinct values than the threshold give a plain allow, with a note" {
	# three ioctl requests on a pipe: FIONREAD, FIOCLEX, FIONCLEX
	local w=("$PY" -c 'import fcntl, os, termios
r, w = os.pipe()
for req in (termios.FIONREAD, termios.FIOCLEX, termios.FIONCLEX):
    fcntl.ioctl(r, req, b"\0" * 8)
print("ioctls")')
	run "$SYSFENCE" record --args-max 2 -o m2.json -- "${w[@]}"
	[ "$status" -eq 0 ]
	[[ "$output" == *"ioctl was called with more than 2 distinct request values: allowed for any"* ]]
	python3 -c 'import json; p=json.load(open("m2.json")); assert "ioctl" in p["syscalls"][0]["names"]'
	run "$SYSFENCE" record --args-max 16 -o m16.json -- "${w[@]}"
	[[ "$output" != *"distinct request values"* ]]
	python3 - m16.json <<'EOF2'
import json, sys
p = json.load(open(sys.argv[1]))
assert "ioctl" not in p["syscalls"][0]["names"]
v = {r["args"][0]["value"] for r in p["syscalls"] if r["names"] == ["ioctl"]}
assert {0x541B, 0x5451, 0x5450} <= v, v
EOF2
	run "$SYSFENCE" run --profile m16.json -- "${w[@]}"
	[ "$output" = ioctls ]
	run "$SYSFENCE" record --args-max 0 -o m.json -- /bin/true
	[ "$status" -eq 125 ]
}

@test "sysfence merge: the union of two recordings runs both workloads" {
	need_x86_64
	"$SYSFENCE" record -o a.json -- busybox sh -c 'echo a; ls / >/dev/null'
	"$SYSFENCE" record --args -o b.json -- "$PY" "$D/client-server.py"
	run "$SYSFENCE" merge -v a.json b.json -o ab.json
	[ "$status" -eq 0 ]
	[[ "$output" == *"the union checked on"* ]]
	# every name of either is in the union
	names a.json >a.names
	names b.json >b.names
	sort -u a.names b.names >expected.names
	names ab.json >ab.names
	diff expected.names ab.names
	run "$SYSFENCE" run --profile ab.json -- busybox sh -c 'echo a; ls / >/dev/null'
	[ "$status" -eq 0 ]
	[ "$output" = a ]
	run "$SYSFENCE" run --profile ab.json -- "$PY" "$D/client-server.py" netlink
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "http: got a listing" ]
	[ "${lines[1]}" = "netlink: refused" ] # b's socket conditions survive the union
	# the same inputs, the same bytes; YAML too
	"$SYSFENCE" merge a.json b.json -o ab2.json
	cmp ab.json ab2.json
	"$SYSFENCE" merge --format yaml a.json b.json -o ab.yaml
	"$SYSFENCE" run --profile ab.yaml -- busybox true
}

@test "sysfence merge refuses what has no exact union, saying where" {
	"$SYSFENCE" record -o a.json -- /bin/true
	"$SYSFENCE" record --errno ENOSYS -o e.json -- /bin/true
	run "$SYSFENCE" merge a.json e.json
	[ "$status" -eq 1 ]
	[[ "$output" == *"e.json"*"differs from a.json"* ]]
	run "$SYSFENCE" merge @audit a.json
	[ "$status" -eq 1 ]
	[[ "$output" == *"only allowlists"* ]]
	cat >k.json <<'EOF'
{
	"defaultAction": "SCMP_ACT_ERRNO",
	"syscalls": [
		{"names": ["clone3"], "action": "SCMP_ACT_KILL_PROCESS"}
	]
}
EOF
	run "$SYSFENCE" merge @runtime-default k.json
	[ "$status" -eq 1 ]
	[[ "$output" == k.json:4:* ]]
	[[ "$output" == *"cannot keep both"* ]]
	run "$SYSFENCE" merge
	[ "$status" -eq 2 ]
	run "$SYSFENCE" merge -o out.json a.json nonexistent.json
	[ "$status" -ne 0 ]
	[ ! -e out.json ]
}

@test "record --merge FILE: the new profile allows the old workload and the new one" {
	"$SYSFENCE" record -o a.json -- busybox sh -c 'echo a'
	"$SYSFENCE" record --merge a.json -o ab.json -- sh -c 'seq 1 50 | sort -rn | head -n 1'
	"$SYSFENCE" run --profile ab.json -- busybox sh -c 'echo a'
	run "$SYSFENCE" run --profile ab.json -- sh -c 'seq 1 50 | sort -rn | head -n 1'
	[ "$status" -eq 0 ]
	[ "$output" = 50 ]
	# a profile of another default is refused before the command runs
	"$SYSFENCE" record --errno ENOSYS -o e.json -- /bin/true
	run "$SYSFENCE" record --merge e.json -o x.json -- busybox touch ran
	[ "$status" -eq 125 ]
	[ ! -e ran ]
	[ ! -e x.json ]
}

@test "--base @runtime-default: only what the base refuses; with the base the workload runs" {
	need_x86_64
	run "$SYSFENCE" record --base @runtime-default -o diff.json -- "$PY" "$D/keyctl.py"
	[ "$status" -eq 0 ]
	[[ "$output" == *"keyctl: -1 Operation not supported"* ]]
	[[ "$output" == *"holds only what @runtime-default does not allow"* ]]
	names diff.json >diff.names
	grep -qx keyctl diff.names
	# nothing in it that the base lets run
	while read -r n; do
		run "$SYSFENCE" emulate @runtime-default --syscall "$n"
		[[ "$output" != ALLOW* ]] || { echo "the base allows $n"; false; }
	done <diff.names
	# the rule says what it is for
	python3 -c 'import json; p=json.load(open("diff.json")); assert "@runtime-default" in p["syscalls"][0]["comment"]'
	# base + difference: the workload runs; the difference alone cannot even start it
	"$SYSFENCE" merge @runtime-default diff.json -o full.json
	run "$SYSFENCE" run --profile full.json -- "$PY" "$D/keyctl.py"
	[ "$status" -eq 0 ]
	[[ "$output" == *"keyctl: -1 Operation not supported"* ]]
	run "$SYSFENCE" run --profile @runtime-default -- "$PY" "$D/keyctl.py"
	[[ "$output" == *"keyctl: -1 Operation not permitted"* ]]
	# as an SPO object: baseProfileName
	"$SYSFENCE" record --base @runtime-default --format spo -o diff.yaml -- "$PY" "$D/keyctl.py" >/dev/null
	grep -qx '  baseProfileName: runtime-default' diff.yaml
	"$SYSFENCE" record --base @runtime-default --base-name runc-v1.0.0 --format spo -o diff2.yaml -- /bin/true
	grep -qx '  baseProfileName: runc-v1.0.0' diff2.yaml
}

@test "SIGUSR1 writes the profile so far; the workload goes on and does not get the signal" {
	# started only after one sleep: the snapshot must hold clock_nanosleep
	"$SYSFENCE" record -o snap.json -- busybox sh -c 'sleep 0.01; touch started; while [ ! -e go ]; do sleep 0.05; done; echo end' &
	local pid=$!
	wait_for test -e started
	[ ! -e snap.json ]
	kill -USR1 "$pid"
	wait_for test -s snap.json
	"$SYSFENCE" check snap.json
	kill -0 "$pid" # still recording: the workload waits for go
	names snap.json | grep -qx execve
	names snap.json | grep -qx clock_nanosleep
	touch go
	local st=0
	wait "$pid" || st=$?
	[ "$st" -eq 0 ] # SIGUSR1 would have killed busybox sh
	"$SYSFENCE" check snap.json
	# without -o there is no file to write: SIGUSR1 goes to the command, as before
	run "$SYSFENCE" record --snapshot-every 1 -- /bin/true
	[ "$status" -eq 125 ]
}

@test "--snapshot-every: the file follows the workload while it runs" {
	"$SYSFENCE" record --snapshot-every 0.1 -o snap.json -- busybox sh -c \
		'touch started; while [ ! -e go1 ]; do sleep 0.05; done; busybox mkdir made; touch step2; while [ ! -e go2 ]; do sleep 0.05; done' &
	local pid=$!
	wait_for test -e started
	wait_for test -s snap.json
	"$SYSFENCE" check snap.json
	! names snap.json | grep -qx mkdir
	touch go1
	wait_for test -e step2
	has_mkdir() { names snap.json | grep -qx mkdir; }
	wait_for has_mkdir
	kill -0 "$pid"
	[ ! -e go2 ]
	touch go2
	wait "$pid"
	"$SYSFENCE" check snap.json
}

@test "--report and --report-json: counts, first executable, when; deterministic keys" {
	need_x86_64
	run "$SYSFENCE" record --report --report-json rep.json -o rec.json -- "$PY" "$D/getppid.py"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "getppid x1000" ]
	# the table: abi, syscall, count, first, executable
	line=$(printf '%s\n' "${lines[@]}" | grep -E '^  x86_64 +getppid ')
	read -r abi name count first exe <<<"$line"
	[ "$count" -ge 1000 ] && [ "$count" -lt 1010 ]
	[[ "$(basename "$exe")" == python3* ]]
	[[ "$first" =~ ^[0-9]+\.[0-9]{6}s$ ]]
	python3 - rep.json "$PY" <<'EOF'
import json, os, sys
text = open(sys.argv[1]).read()
r = json.loads(text)
assert list(r) == ["command", "exitStatus", "totalCalls", "unknownAbiCalls", "syscalls"], list(r)
assert r["command"][0] == sys.argv[2] and r["exitStatus"] == 0
g = [s for s in r["syscalls"] if s["name"] == "getppid"]
assert len(g) == 1, g
g = g[0]
assert list(g) == ["abi", "name", "nr", "count", "firstExecutable", "firstSeconds"], list(g)
assert g["abi"] == "x86_64" and g["nr"] == 110
assert 1000 <= g["count"] < 1010, g
assert os.path.basename(g["firstExecutable"]).startswith("python3"), g
assert 0 <= g["firstSeconds"] < 60
# python3 mapped memory before its loop; counts add up
m = [s for s in r["syscalls"] if s["name"] == "mmap"][0]
assert m["firstSeconds"] <= g["firstSeconds"]
assert sum(s["count"] for s in r["syscalls"]) == r["totalCalls"]
# rows by ABI then name
keys = [(s["abi"], s["name"]) for s in r["syscalls"]]
assert keys == sorted(keys), keys
EOF
	# with --args and --base, the rows say more
	"$SYSFENCE" record --args --base @runtime-default --report-json rep2.json -o rec2.json -- "$PY" "$D/getppid.py" >/dev/null
	python3 - rep2.json <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
g = [s for s in r["syscalls"] if s["name"] == "getppid"][0]
assert g["baseAllowed"] == g["count"], g
io = [s for s in r["syscalls"] if s["name"] == "ioctl"]
assert all("values" in s and s["argIndex"] == 1 for s in io), io
EOF
}

@test "--verify: a deterministic workload passes" {
	run "$SYSFENCE" record --verify -o v.json -- busybox sh -c 'echo a; ls / >/dev/null'
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "${lines[@]}" | grep -cx a)" -eq 2 ] # recorded, then replayed
	[[ "$output" == *"verify: passed: exit status 0 as when recorded, no call refused"* ]]
	# a command that fails the same way twice: its status, verified
	run "$SYSFENCE" record --verify -o v.json -- busybox sh -c 'exit 3'
	[ "$status" -eq 3 ]
	[[ "$output" == *"verify: passed: exit status 3"* ]]
	# --args: clone3's ENOSYS is the profile's own answer, not a failure
	need_x86_64
	run "$SYSFENCE" record --args --verify -o v.json -- "$PY" "$D/client-server.py"
	[ "$status" -eq 0 ]
	[[ "$output" == *"verify: passed"* ]]
}

@test "--verify: a workload that does more on its second run is reported, record exits 1" {
	need_x86_64
	run "$SYSFENCE" record --verify -o v.json -- "$PY" "$D/second-run.py" "$TMP/marker"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "first run: marker" ]
	[[ "$output" == *"mkdir("*"-> ERRNO(1)"* ]]
	[[ "$output" == *"verify: FAILED: exit status 1 (recorded: 0)"*"refused"* ]]
	[ ! -e "$TMP/marker.d" ]
	run "$SYSFENCE" record --verify --pid $$ -o v.json
	[ "$status" -eq 125 ]
}

@test "--format spo: a SeccompProfile that reads back; --name, or the command's name" {
	"$SYSFENCE" record --format spo --name my-app -o spo.yaml -- busybox sh -c 'echo x >/dev/null'
	run "$SYSFENCE" check spo.yaml
	[ "$status" -eq 0 ]
	python3 - spo.yaml <<'EOF'
import sys, yaml
o = yaml.safe_load(open(sys.argv[1]))
assert o["apiVersion"] == "security-profiles-operator.x-k8s.io/v1", o
assert o["kind"] == "SeccompProfile"
assert o["metadata"] == {"name": "my-app"}
s = o["spec"]
assert s["defaultAction"] == "SCMP_ACT_ERRNO"
assert s["architectures"][0] == "SCMP_ARCH_X86_64" or True
assert all(r["action"] == "SCMP_ACT_ALLOW" for r in s["syscalls"])
assert all("comment" not in r for r in s["syscalls"])
names = {n for r in s["syscalls"] for n in r["names"]}
assert {"execve", "exit_group", "write"} <= names, names
EOF
	"$SYSFENCE" run --profile spo.yaml -- busybox sh -c 'echo x >/dev/null'
	"$SYSFENCE" record --format spo -o t.yaml -- /usr/bin/env true
	grep -qx '  name: env' t.yaml
	# what SPO cannot hold is said before the command runs
	run "$SYSFENCE" record --format spo --errno ENOSYS -o e.yaml -- busybox touch ran
	[ "$status" -eq 125 ]
	[[ "$output" == *"--format spo"*"defaultErrnoRet"* ]]
	[ ! -e ran ]
	run "$SYSFENCE" record --format spo --name Not_Valid -- /bin/true
	[ "$status" -eq 125 ]
}

@test "crun: an --args profile loads in a real runtime (libseccomp) and runs the workload" {
	command -v crun_available >/dev/null || skip "lib/crun.bash not there"
	crun_require
	"$SYSFENCE" record --args -o a.json -- busybox sh -c 'echo hi; ls / >/dev/null; busybox sh -c "echo sub"'
	python3 -c 'import json; p=json.load(open("a.json")); assert any(r.get("args") for r in p["syscalls"])'
	crun_run a.json -- /bin/sh -c 'echo hi; ls / >/dev/null; /bin/sh -c "echo sub"'
	[ "$crun_status" -eq 0 ]
	[ "$crun_stdout" = "$(printf 'hi\nsub')" ]
}
