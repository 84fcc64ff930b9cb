# Run commands under a seccomp profile in a real crun container, to compare
# `sysfence run` with what an OCI runtime does.  Load it with `load lib/crun`.
#
# Needs root, crun, unshare (util-linux), timeout, python3 and a static busybox
# (Debian: busybox-static).  flock is used when present.
#
# API
#
#   crun_available
#       True when containers can run here: checks the tools, builds the bundle
#       and runs `echo ok` in a container.  The answer is cached for the whole
#       bats run in $BATS_RUN_TMPDIR/crun-available; when false, the reason is in
#       $crun_unavailable_reason.
#   crun_require
#       `crun_available || skip "crun containers unavailable: REASON"`.
#
#   crun_bundle DIR
#       Make DIR an OCI bundle: DIR/config.json and DIR/rootfs (busybox and its
#       applets in /bin, /tmp mode 1777, /etc/passwd and /etc/group with root).
#       Built once per bats run under $BATS_RUN_TMPDIR/crun-cache and copied.
#       config.json is `crun spec` with terminal false, root.readonly false and
#       no linux.resources; crun's default capabilities (AUDIT_WRITE, KILL,
#       NET_BIND_SERVICE), noNewPrivileges, namespaces, masked paths stay.
#
#   crun_run [--bundle DIR] [--mount SRC:DST]... PROFILE -- CMD [ARG...]
#       Run CMD as the container's process (PID 1 of its pid namespace, cwd /,
#       env PATH=... TERM=xterm, stdin /dev/null) with PROFILE as linux.seccomp:
#       a JSON or YAML seccomp profile file, or `none` for no seccomp at all.
#       Sets, after the container is gone:
#           crun_status   the exit status crun reports (see below)
#           crun_stdout   the container's standard output  } trailing newlines
#           crun_stderr   its standard error               } removed, like `run`
#           crun_log      crun's own error messages (empty when crun was happy)
#       Returns 0 when the container ran, whatever CMD's status; returns 1 with
#       a message on standard error when crun itself failed (refused the
#       config, CMD not found: crun_log says why) or the run timed out.  So a
#       plain `crun_run ...` in a test fails the test on harness trouble; write
#       `crun_run ... || true` to look at crun's refusals.
#       Do NOT call it through bats' `run`: `run` uses a subshell and the
#       crun_* variables would be lost.
#       The bundle is DIR, else $BATS_TEST_TMPDIR/crun-bundle (made on first
#       use, then kept for the test: files CMD writes stay for the next call).
#       --mount binds host SRC read-only at DST in the container.
#       Each run has a unique container ID and a private crun state root under
#       $BATS_RUN_TMPDIR; `crun delete -f` removes a container crun run left
#       behind (after a timeout).  Time limit:
#       $CRUN_TIMEOUT seconds (default 30), then SIGTERM to crun, and SIGKILL
#       $CRUN_KILL_AFTER seconds later (default 5).
#       Profiles are converted for crun: only the OCI fields are kept
#       (defaultAction, defaultErrnoRet, architectures, flags, listenerPath,
#       listenerMetadata, syscalls[].names/action/errnoRet/args; a rule's
#       singular "name" becomes "names"; "comment" and the like are dropped).
#       Docker-only fields (archMap, includes, excludes) are resolved first with
#       `$SYSFENCE show --caps <the bundle's bounding set> -o json`, for this
#       machine's architecture and kernel.  CRUN_PROFILE_RAW=1 passes the
#       profile's JSON unchanged instead (to see what crun refuses).
#
#   sysfence_run_available / sysfence_run_require
#       True / skip unless `$SYSFENCE run --help` succeeds.
#
#   crun_compare [--no-stdout] PROFILE -- CMD [ARG...]
#       Run CMD twice, each in a fresh bundle: under crun with PROFILE (as
#       crun_run), and in a container without seccomp as
#           $SYSFENCE run --profile /.sysfence/<PROFILE's file name> -- CMD
#       ($SYSFENCE, its shared libraries and PROFILE are bound read-only at
#       /.sysfence, an empty directory on the crun side; a dynamic binary is
#       started through its own ld.so with --library-path, so /proc/self/exe is
#       the loader there).  Both containers are alike: same rootfs, caps,
#       noNewPrivileges, namespaces; CMD is PID 1 on both sides when sysfence
#       run execs it (it does).  Sets crun_*
#       for the crun side and sysfence_status, sysfence_stdout, sysfence_stderr
#       for the sysfence side, then fails (status 1, both sides printed) unless
#       the statuses are equal, the stderr texts are equal after crun_normalise
#       and, without --no-stdout, the stdout texts are equal.
#   crun_normalise
#       Filter used on both stderr texts: drops lines starting "sysfence: "
#       (sysfence's own diagnostics) and trailing blanks.  Redefine it in a test
#       file to normalise differently.
#
# What crun does with exit statuses (crun 1.8.1, checked on this machine)
#   - CMD exits with N: crun exits with N.
#   - CMD is killed by signal S: crun exits with 128+S.  A seccomp
#     SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL (= KILL_THREAD) or SCMP_ACT_TRAP
#     (SIGSYS, signal 31) gives 159, the same as a shell reports for a child.
#     No core file is written (RLIMIT_CORE 0 here).
#   - crun itself fails (bad config, CMD not found in PATH): crun exits 1, the
#     same as CMD exiting 1; the message goes to crun's stderr *and* its --log.
#     The harness runs crun with --log=file:... --log-format=json, so a
#     non-empty crun_log tells the two apart, and strips those lines out of
#     crun_stderr.  crun writes them without any "crun:" prefix.
#   - CMD is PID 1 of a pid namespace: signals it sends itself without a
#     handler (sh -c 'kill -TERM $$') are ignored by the kernel, unlike
#     outside a container.  The forced SIGSYS of seccomp does kill it.
#   - crun run forwards SIGTERM to PID 1 (a `trap ... TERM` sees it), which
#     without a handler ignores it (see above): a timed-out container needs
#     SIGKILL for crun, and `crun delete -f` for PID 1, both of which the
#     harness does.  Timed out, crun_status is timeout's 124 (or 137).
#   - crun refuses an errnoRet on any action but SCMP_ACT_ERRNO and TRACE
#     ("errno value specified for action `SCMP_ACT_KILL_PROCESS`"; also for
#     ALLOW, LOG, KILL, TRAP).  TRACE with no tracer fails the call with
#     ENOSYS whatever errnoRet says (kernel behaviour).
#   - A profile that denies what crun still does between loading the filter
#     and exec (execve itself; an allowlist without it): crun fails with
#     "exec container process `/bin/echo`: Operation not permitted", written
#     to the container's stderr in --log-format JSON because the log file can
#     no longer be opened; the harness moves it to crun_log.  If exit_group is
#     denied too, crun's child cannot even exit and dies of SIGSEGV: status
#     139, same message.
#
# Why the wrapper: crun 1.8.1 refuses this machine's hybrid cgroup layout
# (fails with status 1 and no message), and with a cgroup manager it wants to
# raise RLIMIT_MEMLOCK, which fails without CAP_SYS_RESOURCE.  So every crun
# runs as
#   unshare -m sh -c 'mount --make-rprivate /; umount -R /sys/fs/cgroup;
#       mount -t cgroup2 none /sys/fs/cgroup; crun --cgroup-manager=disabled ...'
# The container then has no cgroup of its own (it stays in the caller's).

_crun_rundir() {
	local d=${BATS_RUN_TMPDIR:-${TMPDIR:-/tmp}/sysfence-crun.$(id -u)}
	mkdir -p "$d" && printf '%s\n' "$d"
}

_crun_testdir() {
	local d=${BATS_TEST_TMPDIR:-$(_crun_rundir)/test}
	mkdir -p "$d" && printf '%s\n' "$d"
}

_crun_sysfence() {
	printf '%s\n' "${SYSFENCE:-${BATS_TEST_DIRNAME:-.}/../../build/sysfence}"
}

_crun_seq=0

# python3, resolved once per run: a pyenv shim costs a few hundred ms a call
_crun_python() {
	local f py
	f=$(_crun_rundir)/crun-python
	if [ -s "$f" ]; then
		read -r py <"$f"
	else
		py=$(python3 -c 'import sys; print(sys.executable)') || return 127
		printf '%s\n' "$py" >"$f.$BASHPID" && mv "$f.$BASHPID" "$f"
	fi
	"$py" "$@"
}

# The python half: config.json surgery, profile conversion, log parsing.
_crun_py=$(cat <<'PYEOF'
import json, os, subprocess, sys

def die(msg):
    sys.stderr.write("crun harness: %s\n" % msg)
    sys.exit(2)

def load_json(path):
    with open(path) as f:
        return json.load(f)

def save_json(obj, path):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)

def load_profile(path):
    try:
        with open(path) as f:
            text = f.read()
    except OSError as e:
        die("cannot read profile %s: %s" % (path, e.strerror))
    if not path.endswith((".yaml", ".yml")):
        try:
            return json.loads(text)
        except ValueError as e:
            if path.endswith(".json"):
                die("profile %s is not JSON: %s" % (path, e))
    try:
        import yaml
    except ImportError:
        die("profile %s: YAML needs python3-yaml" % path)
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        die("profile %s is neither JSON nor YAML: %s" % (path, e))

def docker_only(p):
    if "archMap" in p:
        return True
    return any(isinstance(r, dict) and ("includes" in r or "excludes" in r)
               for r in p.get("syscalls") or [])

TOP = ("defaultAction", "defaultErrnoRet", "architectures", "flags",
       "listenerPath", "listenerMetadata", "syscalls")
RULE = ("names", "action", "errnoRet", "args")
ARG = ("index", "value", "valueTwo", "op")

def to_oci(p):
    out = {k: p[k] for k in TOP if k in p}
    rules = []
    for r in p.get("syscalls") or []:
        r = dict(r)
        if "names" not in r and "name" in r:
            r["names"] = [r["name"]]
        o = {k: r[k] for k in RULE if k in r}
        if "args" in o and o["args"] is not None:
            o["args"] = [{k: a[k] for k in ARG if k in a} for a in o["args"]]
        rules.append(o)
    if "syscalls" in p:
        out["syscalls"] = rules
    return out

def seccomp_for(profile, config):
    if os.environ.get("CRUN_PROFILE_RAW") == "1":
        return load_profile(profile)
    p = load_profile(profile)
    if not isinstance(p, dict):
        die("profile %s is not a mapping" % profile)
    if docker_only(p):
        sysfence = os.environ.get("SYSFENCE", "")
        caps = config["process"].get("capabilities", {}).get("bounding", [])
        cmd = [sysfence, "show", profile, "--caps", ",".join(caps) or "CAP_KILL",
               "-o", "json"]
        try:
            r = subprocess.run(cmd, capture_output=True, text=True)
        except OSError as e:
            die("profile %s uses archMap/includes/excludes and %s cannot resolve it: %s"
                % (profile, sysfence, e.strerror))
        if r.returncode != 0:
            die("%s failed (%d): %s" % (" ".join(cmd), r.returncode, r.stderr.strip()))
        p = json.loads(r.stdout)
        if docker_only(p):
            die("%s left Docker-only fields in %s" % (" ".join(cmd), profile))
    return to_oci(p)

def cmd_bundle(config):
    c = load_json(config)
    c["process"]["terminal"] = False
    c["process"]["args"] = ["true"]
    c["root"]["readonly"] = False
    c.get("linux", {}).pop("resources", None)
    c.get("linux", {}).pop("seccomp", None)
    save_json(c, config)

def cmd_configure(config, profile, rest):
    i = rest.index("--")
    mounts, args = rest[:i], rest[i + 1:]
    c = load_json(config)
    c["process"]["args"] = args
    if profile == "none":
        c["linux"].pop("seccomp", None)
    else:
        c["linux"]["seccomp"] = seccomp_for(profile, c)
    # start from the bundle's own mounts, so a kept bundle does not pile them up
    orig = os.path.join(os.path.dirname(config), "mounts.orig.json")
    if os.path.exists(orig):
        c["mounts"] = load_json(orig)
    else:
        save_json(c.get("mounts", []), orig)
    for m in mounts:
        src, dst = m.split(":", 1)
        c.setdefault("mounts", []).append({"destination": dst, "type": "bind", "source": src,
                                           "options": ["rbind", "ro", "nosuid"]})
    save_json(c, config)

def crun_json(line):
    """crun's message in a --log-format=json line, or None"""
    try:
        o = json.loads(line)
    except ValueError:
        return None
    if isinstance(o, dict) and "msg" in o and "level" in o:
        return o["msg"]
    return None

def cmd_log(logfile, errfile, outfile):
    msgs = []
    if os.path.exists(logfile):
        with open(logfile, errors="replace") as f:
            for line in f:
                line = line.strip()
                if line:
                    m = crun_json(line)
                    msgs.append(line if m is None else m)
    with open(errfile, errors="replace") as f:
        err = f.read().split("\n")
    left = []
    for l in err:
        m = crun_json(l)
        if m is not None:
            # crun could not write its log (after seccomp was loaded, e.g. the
            # exec was denied) and fell back to stderr, still in JSON
            if m not in msgs:
                msgs.append(m)
        elif l not in msgs:
            left.append(l)
    with open(errfile, "w") as f:
        f.write("\n".join(left))
    with open(outfile, "w") as f:
        f.write("\n".join(msgs))

def cmd_bounding(config):
    c = load_json(config)
    print(",".join(c["process"].get("capabilities", {}).get("bounding", [])))

what = sys.argv[1]
if what == "bundle":
    cmd_bundle(sys.argv[2])
elif what == "configure":
    cmd_configure(sys.argv[2], sys.argv[3], sys.argv[4:])
elif what == "log":
    cmd_log(sys.argv[2], sys.argv[3], sys.argv[4])
else:
    die("unknown helper command %s" % what)
PYEOF
)

# Build the cached bundle in $(_crun_rundir)/crun-cache/bundle (once per run).
_crun_build_cache() {
	local cache b bb a
	cache=$(_crun_rundir)/crun-cache
	b=$cache/bundle
	[ -f "$cache/done" ] && return 0
	bb=$(command -v busybox) || { echo "busybox not found"; return 1; }
	rm -rf "$b" && mkdir -p "$b/rootfs/bin" "$b/rootfs/tmp" "$b/rootfs/etc" \
		"$b/rootfs/root" "$b/rootfs/proc" "$b/rootfs/dev" "$b/rootfs/sys" || return 1
	chmod 1777 "$b/rootfs/tmp"
	cp "$(readlink -f "$bb")" "$b/rootfs/bin/busybox" || return 1
	for a in $("$b/rootfs/bin/busybox" --list); do
		[ "$a" = busybox ] || ln -s busybox "$b/rootfs/bin/$a" || return 1
	done
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$b/rootfs/etc/passwd"
	printf 'root:x:0:\n' >"$b/rootfs/etc/group"
	(cd "$b" && crun spec) || { echo "crun spec failed"; return 1; }
	_crun_python -c "$_crun_py" bundle "$b/config.json" || { echo "adjusting config.json failed"; return 1; }
	touch "$cache/done"
}

_crun_locked() { # run "$@" holding the harness lock (when flock exists)
	local lock
	lock=$(_crun_rundir)/crun.lock
	if command -v flock >/dev/null; then
		{ flock 9 && "$@"; } 9>"$lock"
	else
		"$@"
	fi
}

crun_bundle() {
	local dir=${1:?crun_bundle DIR}
	_crun_locked _crun_build_cache >&2 || { echo "crun_bundle: building the bundle failed" >&2; return 1; }
	mkdir -p "$dir" && cp -a "$(_crun_rundir)/crun-cache/bundle/." "$dir/"
}

_crun_probe() { # print "ok" or why containers cannot run here
	local t
	local -a _crun_mounts=()
	[ "$(id -u)" = 0 ] || { echo "not root"; return; }
	for t in crun unshare busybox python3 timeout; do
		command -v "$t" >/dev/null || { echo "$t not found"; return; }
	done
	if ! _crun_build_cache >/dev/null 2>&1; then echo "cannot build the bundle"; return; fi
	if LC_ALL=C ldd "$(_crun_rundir)/crun-cache/bundle/rootfs/bin/busybox" >/dev/null 2>&1; then
		echo "busybox is not static (install busybox-static)"
		return
	fi
	t=$(_crun_rundir)/crun-probe
	rm -rf "$t"
	if ! cp -a "$(_crun_rundir)/crun-cache/bundle" "$t"; then echo "cannot copy the bundle"; return; fi
	CRUN_TIMEOUT=20 _crun_exec "$t" none echo ok >/dev/null 2>&1
	if [ "$crun_status" = 0 ] && [ "$crun_stdout" = ok ]; then
		echo ok
	else
		echo "a trivial container fails (status $crun_status): $(echo $crun_log $crun_stderr | head -c 300)"
	fi
	rm -rf "$t"
}

_crun_probe_once() { # under the lock: probe unless another test just did
	[ -s "$1" ] || { _crun_probe >"$1.tmp" && mv "$1.tmp" "$1"; }
}

crun_available() {
	local f line
	f=$(_crun_rundir)/crun-available
	[ -s "$f" ] || _crun_locked _crun_probe_once "$f" || true
	IFS= read -r line <"$f" || true
	if [ "$line" = ok ]; then
		crun_unavailable_reason=
		return 0
	fi
	crun_unavailable_reason=${line:-unknown}
	return 1
}

crun_require() {
	crun_available || skip "crun containers unavailable: $crun_unavailable_reason"
}

sysfence_run_available() {
	"$(_crun_sysfence)" run --help >/dev/null 2>&1
}

sysfence_run_require() {
	sysfence_run_available || skip "'$(_crun_sysfence) run' does not exist yet"
}

# _crun_exec BUNDLE PROFILE CMD... : configure, run, clean up; sets crun_*.
_crun_exec() {
	local bundle=$1 profile=$2 id dir state rc start limit
	shift 2
	crun_status= crun_stdout= crun_stderr= crun_log=
	_crun_seq=$((_crun_seq + 1))
	id=sysfence-$BASHPID-$RANDOM-$_crun_seq
	dir=$(_crun_testdir)/crun-run.$_crun_seq.$RANDOM
	state=$(_crun_rundir)/crun-state
	mkdir -p "$dir" "$state" || return 1
	SYSFENCE=$(_crun_sysfence) _crun_python -c "$_crun_py" configure "$bundle/config.json" "$profile" \
		"${_crun_mounts[@]}" -- "$@" 2>"$dir/harness.err" || {
		crun_log=$(cat "$dir/harness.err")
		echo "crun_run: cannot configure the bundle: $crun_log" >&2
		return 1
	}
	limit=${CRUN_TIMEOUT:-30}
	start=$SECONDS
	rc=0
	timeout -k "${CRUN_KILL_AFTER:-5}" "$limit" unshare -m sh -c '
		mount --make-rprivate / || exit 125
		umount -R /sys/fs/cgroup 2>/dev/null
		mount -t cgroup2 none /sys/fs/cgroup || exit 125
		exec crun --root="$1" --log=file:"$2" --log-format=json \
			--cgroup-manager=disabled run --bundle "$3" "$4"' \
		sh "$state" "$dir/crun.log" "$bundle" "$id" \
		</dev/null >"$dir/stdout" 2>"$dir/stderr" || rc=$?
	# crun run deletes a container that ran to the end; one left behind
	# (timeout: crun killed, PID 1 alive) still has its state directory
	if [ -e "$state/$id" ]; then
		crun --root="$state" delete -f "$id" >/dev/null 2>&1 || true
	fi
	crun_status=$rc
	if [ -s "$dir/crun.log" ] || grep -q '^{"msg":' "$dir/stderr"; then
		_crun_python -c "$_crun_py" log "$dir/crun.log" "$dir/stderr" "$dir/crunlog.txt" &&
			crun_log=$(cat "$dir/crunlog.txt")
	fi
	crun_stdout=$(cat "$dir/stdout")
	crun_stderr=$(cat "$dir/stderr")
	if [ $((SECONDS - start)) -ge "$limit" ] && { [ "$rc" = 124 ] || [ "$rc" = 137 ]; }; then
		echo "crun_run: timed out after ${limit}s: $*" >&2
		return 1
	fi
	if [ -n "$crun_log" ]; then
		echo "crun_run: crun failed (status $rc): $crun_log" >&2
		return 1
	fi
	if [ "$rc" = 125 ] && [ -z "$crun_stdout" ] && [[ "$crun_stderr" == *mount* ]]; then
		echo "crun_run: the unshare/cgroup2 wrapper failed: $crun_stderr" >&2
		return 1
	fi
	return 0
}

crun_run() {
	local bundle= profile
	local -a _crun_mounts=()
	while [ $# -gt 0 ]; do
		case $1 in
		--bundle) bundle=$2; shift 2 ;;
		--mount) _crun_mounts+=("$2"); shift 2 ;;
		*) break ;;
		esac
	done
	if [ $# -lt 3 ] || [ "$2" != -- ]; then
		echo "usage: crun_run [--bundle DIR] [--mount SRC:DST]... PROFILE|none -- CMD [ARG...]" >&2
		return 2
	fi
	profile=$1
	shift 2
	if [ -z "$bundle" ]; then
		bundle=$(_crun_testdir)/crun-bundle
		[ -f "$bundle/config.json" ] || crun_bundle "$bundle" || return 1
	fi
	_crun_exec "$bundle" "$profile" "$@"
}

crun_normalise() {
	grep -v '^sysfence: ' | sed -e 's/[[:space:]]*$//'
	return 0
}

# _crun_stage_sysfence DIR : copy $SYSFENCE and its shared libraries into DIR;
# print the command that starts it from /.sysfence inside a container.
_crun_stage_sysfence() {
	local dir=$1 sf lib interp=
	sf=$(readlink -f "$(_crun_sysfence)") || return 1
	mkdir -p "$dir/lib" && cp "$sf" "$dir/sysfence" || return 1
	if LC_ALL=C ldd "$sf" >"$dir/ldd.txt" 2>/dev/null; then
		while read -r lib; do
			cp -L "$lib" "$dir/lib/" || return 1
		done < <(awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' "$dir/ldd.txt")
		interp=$(awk '$2 != "=>" && $1 ~ /^\// { print $1; exit }' "$dir/ldd.txt")
	fi
	if [ -n "$interp" ]; then
		printf '%s\n' "/.sysfence/lib/${interp##*/}" --library-path /.sysfence/lib /.sysfence/sysfence
	else
		printf '%s\n' /.sysfence/sysfence
	fi
}

crun_compare() {
	local stdout=1 profile dir name ok=1 a b
	local -a launch
	local c_status c_stdout c_stderr c_log
	if [ "${1:-}" = --no-stdout ]; then stdout=0; shift; fi
	if [ $# -lt 3 ] || [ "$2" != -- ]; then
		echo "usage: crun_compare [--no-stdout] PROFILE -- CMD [ARG...]" >&2
		return 2
	fi
	profile=$1
	shift 2
	_crun_seq=$((_crun_seq + 1))
	dir=$(_crun_testdir)/crun-compare.$_crun_seq.$RANDOM
	crun_bundle "$dir/crun" && crun_bundle "$dir/sysfence" || return 1
	mkdir "$dir/crun/rootfs/.sysfence" # so that both sides see the same /
	mapfile -t launch < <(_crun_stage_sysfence "$dir/stage")
	[ ${#launch[@]} -gt 0 ] || { echo "crun_compare: cannot stage $(_crun_sysfence)" >&2; return 1; }
	name=${profile##*/}
	cp "$profile" "$dir/stage/$name" || return 1

	crun_run --bundle "$dir/crun" "$profile" -- "$@" || return 1
	c_status=$crun_status c_stdout=$crun_stdout c_stderr=$crun_stderr c_log=$crun_log
	crun_run --bundle "$dir/sysfence" --mount "$dir/stage:/.sysfence" none -- \
		"${launch[@]}" run --profile "/.sysfence/$name" -- "$@" || return 1
	sysfence_status=$crun_status sysfence_stdout=$crun_stdout sysfence_stderr=$crun_stderr
	crun_status=$c_status crun_stdout=$c_stdout crun_stderr=$c_stderr crun_log=$c_log

	if [ "$crun_status" != "$sysfence_status" ]; then
		echo "crun_compare: exit status: crun $crun_status, sysfence run $sysfence_status" >&2
		ok=0
	fi
	a=$(printf '%s\n' "$crun_stderr" | crun_normalise)
	b=$(printf '%s\n' "$sysfence_stderr" | crun_normalise)
	if [ "$a" != "$b" ]; then
		echo "crun_compare: stderr differs (after crun_normalise)" >&2
		ok=0
	fi
	if [ "$stdout" = 1 ] && [ "$crun_stdout" != "$sysfence_stdout" ]; then
		echo "crun_compare: stdout differs" >&2
		ok=0
	fi
	if [ "$ok" = 0 ]; then
		{
			echo "  command: $*   profile: $profile"
			echo "  crun:     status $crun_status"
			printf '%s\n' "$crun_stdout" | sed 's/^/    stdout| /'
			printf '%s\n' "$crun_stderr" | sed 's/^/    stderr| /'
			echo "  sysfence: status $sysfence_status"
			printf '%s\n' "$sysfence_stdout" | sed 's/^/    stdout| /'
			printf '%s\n' "$sysfence_stderr" | sed 's/^/    stderr| /'
		} >&2
		return 1
	fi
	return 0
}
