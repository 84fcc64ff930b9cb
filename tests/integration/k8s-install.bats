#!/usr/bin/env bats
# sysfence k8s install (atomic, all or nothing), install --sync against a ConfigMap volume laid
# out and updated as the kubelet's AtomicWriter does — 150 swaps while a reader checks
# every file it opens — and in a crun container with the DaemonSet's privileges; kubelet-check on
# fixture configurations and on a real process named kubelet. About 10 s: the swap test takes
# ~4 s by design (bursts with pauses, so that passes run while the reader reads), the crun test ~3 s
# (its bundle is built once per bats run).

bats_require_minimum_version 1.5.0

load lib/crun

setup_file() {
	# python3 resolved once: a pyenv shim costs ~0.4 s a call.
	PY=$(python3 -c 'import sys; print(sys.executable)')
	export PY
}

setup() {
	SYSFENCE=${SYSFENCE:-$BATS_TEST_DIRNAME/../../build/sysfence}
	DATA=$BATS_TEST_DIRNAME/../data/k8s-export
	TMP=$(mktemp -d)
	FAKE_PID=
}

teardown() {
	[ -z "$FAKE_PID" ] || kill "$FAKE_PID" 2>/dev/null || true
	[ -z "$FAKE_PID" ] || wait "$FAKE_PID" 2>/dev/null || true
	rm -rf "$TMP"
}

@test "install: validated, canonical JSON, mode 0644, read back by check" {
	run "$SYSFENCE" k8s install --root "$TMP/root" "$DATA/web.json" "$DATA/kubelet-on.yaml"
	[ "$status" -eq 1 ]
	[[ "$output" == *"kubelet-on.yaml:1:1: error"* ]]
	[[ "$output" == *"nothing installed"* ]]
	[ ! -e "$TMP/root/web.json" ]

	cp "$DATA/web.json" "$TMP/web.json"
	"$SYSFENCE" show "$DATA/commented.json" -o yaml >"$TMP/no-mkdir.yaml"
	run "$SYSFENCE" k8s install --root "$TMP/root" "$TMP/web.json" "$TMP/no-mkdir.yaml"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "sysfence k8s install: added web.json (from $TMP/web.json)" ]
	[ "${lines[1]}" = "sysfence k8s install: added no-mkdir.json (from $TMP/no-mkdir.yaml)" ]
	cmp "$TMP/root/web.json" <("$SYSFENCE" show "$DATA/web.json" -o json)
	[ "$(stat -c %a "$TMP/root/web.json")" = 644 ]
	run "$SYSFENCE" check "$TMP/root/no-mkdir.json"
	[ "$status" -eq 0 ]
	run "$SYSFENCE" diff "$DATA/commented.json" "$TMP/root/no-mkdir.json"
	[ "$status" -eq 0 ]

	# An invalid new version: refused, located, the installed one kept.
	printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["nosuchcall"], "action": "SCMP_ACT_ERRNO"}]}' >"$TMP/web.json"
	run "$SYSFENCE" k8s install --root "$TMP/root" "$TMP/web.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *"web.json:1:61: error: syscalls[0].names[0]: unknown syscall"* ]]
	[[ "$output" == *"not installed: web.json"* ]]
	cmp "$TMP/root/web.json" <("$SYSFENCE" show "$DATA/web.json" -o json)
	ls -A "$TMP/root" >"$TMP/ls"
	! grep -q tmp "$TMP/ls"

	run "$SYSFENCE" k8s install --root "$TMP/root"
	[ "$status" -eq 2 ]
	run "$SYSFENCE" k8s install --root "$TMP/root" --once "$TMP/web.json"
	[ "$status" -eq 2 ]
	run "$SYSFENCE" k8s install --sync "$TMP" --root "$TMP/root" "$TMP/web.json"
	[ "$status" -eq 2 ]
}

@test "install --sync --once: adds, leaves foreign files alone, removes only its own" {
	mkdir "$TMP/src" "$TMP/root"
	cp "$DATA/web.json" "$TMP/src/web.json"
	cp "$DATA/commented.json" "$TMP/src/mine.json"
	cp "$DATA/web.json" "$TMP/src/theirs.json"
	echo "the admin's" >"$TMP/root/theirs.json"
	echo "the admin's too" >"$TMP/root/other.json"
	run "$SYSFENCE" k8s install --sync "$TMP/src" --root "$TMP/root" --once
	[ "$status" -eq 1 ]
	[[ "$output" == *"added mine.json (from $TMP/src/mine.json)"* ]]
	[[ "$output" == *"added web.json"* ]]
	[[ "$output" == *"$TMP/src/theirs.json: error: $TMP/root/theirs.json exists and was not installed by sysfence: left alone"* ]]
	[ "$(cat "$TMP/root/theirs.json")" = "the admin's" ]
	rm "$TMP/src/theirs.json" "$TMP/src/web.json"
	run "$SYSFENCE" k8s install --sync "$TMP/src" --root "$TMP/root" --once
	[ "$status" -eq 0 ]
	[ "$output" = "sysfence k8s install: removed web.json (no longer in $TMP/src)" ]
	[ "$(ls "$TMP/root")" = "$(printf 'mine.json\nother.json\ntheirs.json')" ]
	run "$SYSFENCE" k8s install --sync "$TMP/nowhere" --root "$TMP/root" --once
	[ "$status" -eq 2 ]
}

# The stress test. A writer updates a ConfigMap volume exactly as the kubelet's AtomicWriter does
# (new ..TIMESTAMP directory, ..data_tmp link renamed over ..data, user-visible KEY -> ..data/KEY
# links added and removed, old directory removed), hundreds of times; a reader lists the root
# and checks that every profile it opens is, byte for byte, one of the canonical texts sync may
# install — a partial file, a foreign change or an invalid profile fails it. Then: the final
# state, a profile that stops validating keeping its installed version, and SIGTERM.
@test "install --sync: ConfigMap swaps under a concurrent reader" {
	mkdir -p "$TMP/volume" "$TMP/root" "$TMP/versions"
	echo "the admin's" >"$TMP/root/admin.json"
	# Profiles p0..p4, versions v0..v3 each: valid profiles of different sizes and contents.
	"$PY" - "$TMP/versions" <<'EOF'
import json, os, sys
calls = ["read", "write", "openat", "close", "fstat", "mmap", "munmap", "brk", "futex",
         "exit_group", "rt_sigaction", "rt_sigprocmask", "getpid", "clock_gettime", "nanosleep"]
for p in range(5):
    for v in range(4):
        prof = {"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"],
                "syscalls": [{"names": calls[: 3 + (p * 4 + v) % 12], "action": "SCMP_ACT_ALLOW"},
                             {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1 + v + 10 * p},
                             {"names": ["uname"], "action": "SCMP_ACT_LOG", "comment": "x" * (200 * v)}]}
        json.dump(prof, open(os.path.join(sys.argv[1], "p%d.v%d.json" % (p, v)), "w"))
EOF
	for f in "$TMP"/versions/*.json; do
		"$SYSFENCE" show "$f" -o json >"$f.canon"
	done
	"$SYSFENCE" k8s install --sync "$TMP/volume" --root "$TMP/root" --interval 0 \
		2>"$TMP/log" &
	local syncer=$!
	run "$PY" - "$TMP/volume" "$TMP/root" "$TMP/versions" "$TMP/log" <<'EOF'
import glob, json, os, random, shutil, sys, threading, time
volume, root, versions, log = sys.argv[1:5]
canon = {open(f).read() for f in glob.glob(os.path.join(versions, "*.canon"))}
assert len(canon) == 20
bad = '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_NOPE"}]}'
stop = threading.Event()
problems, reads = [], [0]

def reader():
    while not stop.is_set():
        for name in os.listdir(root):
            if not name.endswith(".json"):
                continue
            try:
                text = open(os.path.join(root, name)).read()
            except FileNotFoundError:
                continue
            reads[0] += 1
            if name == "admin.json":
                if text != "the admin's\n":
                    problems.append("admin.json changed")
            elif text not in canon:
                problems.append("%s: not a complete canonical profile (%d bytes)" % (name, len(text)))

seq = [0]
def generation(files):
    """One AtomicWriter update: files maps key -> content."""
    seq[0] += 1
    gen = "..2024_05_01_10_00_00.%09d" % seq[0]
    os.mkdir(os.path.join(volume, gen))
    for k, v in files.items():
        with open(os.path.join(volume, gen, k), "w") as f:
            f.write(v)
    old = None
    try:
        old = os.readlink(os.path.join(volume, "..data"))
    except FileNotFoundError:
        pass
    os.symlink(gen, os.path.join(volume, "..data_tmp"))
    os.rename(os.path.join(volume, "..data_tmp"), os.path.join(volume, "..data"))
    for k in files:
        link = os.path.join(volume, k)
        if not os.path.islink(link):
            os.symlink(os.path.join("..data", k), link)
    for k in os.listdir(volume):
        if not k.startswith(".") and k not in files:
            os.unlink(os.path.join(volume, k))
    if old:
        shutil.rmtree(os.path.join(volume, old))

def version(p, v):
    return open(os.path.join(versions, "p%d.v%d.json" % (p, v))).read()

t = threading.Thread(target=reader)
t.start()
rng = random.Random(8)
swaps = 150
for i in range(swaps):
    files = {}
    for p in range(5):
        if rng.random() < 0.7:
            files["p%d.json" % p] = bad if rng.random() < 0.1 else version(p, rng.randrange(4))
    files["admin.json"] = version(0, 0)        # never installed over the admin's file
    generation(files)
    # Bursts of swaps (sync waits for 50 ms of quiet), then a pause that lets a pass run
    # while the reader reads.
    time.sleep(0.055 if i % 5 == 4 else rng.random() * 0.004)

def settled(expect, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = {n: open(os.path.join(root, n)).read() for n in os.listdir(root)
               if n.endswith(".json") and n != "admin.json"}
        if got == expect:
            return True
        time.sleep(0.02)
    return False

# A final generation of valid profiles: the root follows it exactly.
final = {"p0.json": version(0, 3), "p2.json": version(2, 1), "admin.json": version(1, 1)}
generation(final)
canon_of = lambda p, v: open(os.path.join(versions, "p%d.v%d.json.canon" % (p, v))).read()
want = {"p0.json": canon_of(0, 3), "p2.json": canon_of(2, 1)}
if not settled(want):
    problems.append("the root did not settle on the final generation")
# p2 stops validating: the installed version stays; p0 is dropped: removed.
generation({"p2.json": bad})
if not settled({"p2.json": canon_of(2, 1)}):
    problems.append("after p2 went bad: not the expected root")
stop.set()
t.join()
lines = open(log).read().splitlines()
kept = [l for l in lines if "the installed version is kept: p2.json" in l]
if not kept:
    problems.append("no 'kept' line for p2")
passes = sum(1 for l in lines if " added " in l or " replaced " in l or " removed " in l)
print("swaps %d, reads %d, changes logged %d" % (swaps, reads[0], passes))
if passes < 40:
    problems.append("too few changes installed while reading")
if reads[0] < 200:
    problems.append("the reader read too little to mean anything")
for p in problems[:20]:
    print(p)
sys.exit(1 if problems else 0)
EOF
	echo "$output"
	kill -TERM "$syncer"
	wait "$syncer"
	[ "$status" -eq 0 ]
	[ "$(cat "$TMP/root/admin.json")" = "the admin's" ]
	[ "$(tail -n1 "$TMP/log")" = "sysfence k8s install: stopped" ]
	# Every log line is one of the forms documented.
	run grep -Ev '^sysfence k8s install: (keeping .* in step with .*|added [^ ]+ \(from .*\)|replaced [^ ]+ \(from .*\)|removed [^ ]+ \(no longer in .*\)|stopped)$|: error: .*; (the installed version is kept|not installed): p[0-9]\.json$|: error: .*admin\.json exists and was not installed by sysfence: left alone' "$TMP/log"
	[ "$status" -eq 1 ] || { echo "unexpected log lines:"; echo "$output"; false; }
	grep -q ': error: .*defaultAction\|syscalls\[0\]\.action: unknown action' "$TMP/log"
}

@test "install --sync: SIGINT stops it too" {
	mkdir "$TMP/src"
	"$SYSFENCE" k8s install --sync "$TMP/src" --root "$TMP/root" --interval 0 2>"$TMP/log" &
	local pid=$!
	cp "$DATA/web.json" "$TMP/src/"
	for _ in $(seq 100); do [ -e "$TMP/root/web.json" ] && break; sleep 0.02; done
	[ -e "$TMP/root/web.json" ]
	kill -INT "$pid"
	local st=0
	wait "$pid" || st=$?
	[ "$st" -eq 0 ]
	grep -q 'added web.json' "$TMP/log"
	grep -q 'stopped' "$TMP/log"
}

@test "install --sync in a container with the DaemonSet's privileges (uid 0, no capabilities)" {
	crun_require
	mkdir -p "$TMP/volume/..gen1" "$TMP/hostdir" "$TMP/stage"
	cp "$DATA/web.json" "$TMP/volume/..gen1/web.json"
	ln -s ..gen1 "$TMP/volume/..data"
	ln -s ..data/web.json "$TMP/volume/web.json"
	chmod 0755 "$TMP/hostdir"
	local -a sf
	mapfile -t sf < <(_crun_stage_sysfence "$TMP/stage")
	local bundle=$BATS_TEST_TMPDIR/bundle
	crun_bundle "$bundle"
	# As the exported DaemonSet: read-only root, uid 0 with no capability, no new privileges,
	# the host directory the only writable mount.
	"$PY" - "$bundle/config.json" "$TMP/hostdir" <<'EOF'
import json, sys
path, host = sys.argv[1:3]
c = json.load(open(path))
c["root"]["readonly"] = True
c["process"]["user"] = {"uid": 0, "gid": 0}
c["process"]["noNewPrivileges"] = True
c["process"]["capabilities"] = {k: [] for k in ("bounding", "effective", "inheritable", "permitted", "ambient")}
c["mounts"].append({"destination": "/host/var/lib/kubelet/seccomp/profiles", "type": "bind",
                    "source": host, "options": ["rbind", "rw", "nosuid", "nodev", "noexec"]})
json.dump(c, open(path, "w"))
EOF
	"$SYSFENCE" show @runtime-default -o json >"$TMP/runtime-default.json"
	crun_run --bundle "$bundle" --mount "$TMP/stage:/.sysfence" --mount "$TMP/volume:/profiles" \
		"$TMP/runtime-default.json" -- "${sf[@]}" k8s install --sync /profiles \
		--root /host/var/lib/kubelet/seccomp/profiles --once
	echo "status $crun_status; stderr: $crun_stderr; log: $crun_log"
	[ "$crun_status" -eq 0 ]
	[[ "$crun_stderr" == *"added web.json (from /profiles/web.json)"* ]]
	cmp "$TMP/hostdir/web.json" <("$SYSFENCE" show "$DATA/web.json" -o json)
	[ -f "$TMP/hostdir/.sysfence-installed" ]
	# The same container cannot write anywhere else (read-only root): the setup is real.
	crun_run --bundle "$bundle" --mount "$TMP/stage:/.sysfence" --mount "$TMP/volume:/profiles" \
		"$TMP/runtime-default.json" -- "${sf[@]}" k8s install --sync /profiles --root /tmp/x --once
	[ "$crun_status" -eq 2 ]
	[[ "$crun_stderr" == *"Read-only file system"* ]]
}

@test "kubelet-check: configuration files" {
	run "$SYSFENCE" k8s kubelet-check --no-proc "$DATA/kubelet-unset.yaml"
	[ "$status" -eq 0 ]
	[[ "$output" == *"seccompDefault:    false (default: false in every release"* ]]
	[[ "$output" == *"seccomp directory: /var/lib/kubelet/seccomp (default: <root-dir>/seccomp)"* ]]
	[[ "$output" == *"run Unconfined"* ]]
	run "$SYSFENCE" k8s kubelet-check --no-proc "$DATA/kubelet-on.yaml"
	[ "$status" -eq 0 ]
	[[ "$output" == *"seccompDefault:    true (config file: $DATA/kubelet-on.yaml:4:17)"* ]]
	run "$SYSFENCE" k8s kubelet-check --no-proc "$DATA/kubelet-yaml11.yaml"
	[ "$status" -eq 0 ]
	[[ "$output" == *"seccompDefault:    true"* ]]
	[[ "$output" == *"YAML 1.1 and takes \"on\" for true"* ]]
	run "$SYSFENCE" k8s kubelet-check --no-proc "$DATA/kubelet-gate-off.yaml"
	[ "$status" -eq 0 ]
	[[ "$output" == *"feature gate:      SeccompDefault=false"* ]]
	[[ "$output" == *"gate is off"* ]]
	run "$SYSFENCE" k8s kubelet-check --no-proc "$DATA/kubelet-bad.yaml"
	[ "$status" -eq 1 ]
	[[ "$output" == *"kubelet-bad.yaml:3:17: error: seccompDefault: expected true or false, found a string"* ]]
	run "$SYSFENCE" k8s kubelet-check --no-proc -o json "$DATA/kubelet-config.json"
	[ "$status" -eq 0 ]
	"$PY" -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["kubelet"] is None
assert d["seccompDefault"]["value"] is False and d["seccompDefault"]["from"] == "config file"
assert d["seccompDir"]["value"] == "/var/lib/kubelet/seccomp"
assert d["rootDir"]["from"] == "default"
' "$output"
	run "$SYSFENCE" k8s kubelet-check --no-proc "$TMP/missing.yaml"
	[ "$status" -eq 2 ]
	run "$SYSFENCE" k8s kubelet-check --no-proc -o yaml "$DATA/kubelet-on.yaml"
	[ "$status" -eq 2 ]
}

# A real process named kubelet (python3 under that name: it sleeps and keeps its argv), so that
# the real /proc is read.
@test "kubelet-check: the running kubelet's command line wins over its file" {
	ln -s "$PY" "$TMP/kubelet"
	mkdir "$TMP/conf.d"
	printf 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nseccompDefault: false\n' \
		>"$TMP/conf.d/50-off.conf"
	(cd "$TMP" && exec ./kubelet -c 'import time; time.sleep(60)' --config "$DATA/kubelet-unset.yaml" \
		--config-dir=conf.d --root_dir /srv/kubelet --seccomp-default) &
	FAKE_PID=$!
	for _ in $(seq 100); do
		grep -q -- --seccomp-default "/proc/$FAKE_PID/cmdline" 2>/dev/null && break
		sleep 0.02
	done
	[ "$(cat /proc/$FAKE_PID/comm)" = kubelet ]
	run "$SYSFENCE" k8s kubelet-check --pid "$FAKE_PID"
	[ "$status" -eq 0 ]
	[[ "$output" == *"kubelet:           pid $FAKE_PID, ./kubelet"* ]]
	[[ "$output" == *"config file:       $DATA/kubelet-unset.yaml (the kubelet's --config)"* ]]
	[[ "$output" == *"seccompDefault:    true (command line: --seccomp-default)"* ]]
	[[ "$output" == *"(the files say false; the command line wins)"* ]]
	[[ "$output" == *"root directory:    /srv/kubelet (command line: --root-dir=/srv/kubelet)"* ]]
	[[ "$output" == *"seccomp directory: /srv/kubelet/seccomp"* ]]
	# Found by name when it is the only kubelet here.
	if [ "$(pgrep -xc kubelet)" = 1 ]; then
		run "$SYSFENCE" k8s kubelet-check -o json
		[ "$status" -eq 0 ]
		"$PY" -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["kubelet"]["pid"] == int(sys.argv[2]), d["kubelet"]
assert d["seccompDefault"] == {"value": True, "from": "command line", "where": "--seccomp-default"}
assert d["configSeccompDefault"] is False            # the drop-in said false
assert d["rootDir"]["value"] == "/srv/kubelet"
' "$output" "$FAKE_PID"
	fi
	# A FILE given is read instead of its --config; its flags still win.
	run "$SYSFENCE" k8s kubelet-check --pid "$FAKE_PID" "$DATA/kubelet-on.yaml"
	[ "$status" -eq 0 ]
	[[ "$output" == *"the running kubelet reads $DATA/kubelet-unset.yaml, not $DATA/kubelet-on.yaml"* ]]
}
