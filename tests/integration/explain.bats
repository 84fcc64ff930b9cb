#!/usr/bin/env bats
# sysfence explain: audit records from sample logs in every form, from stdin, followed as a file
# grows, and real records the kernel writes for filters we load.

setup() {
	SYSFENCE=${SYSFENCE:-$BATS_TEST_DIRNAME/../../build/sysfence}
	DATA=$BATS_TEST_DIRNAME/../data/audit
	TMP=$(mktemp -d)
}

teardown() {
	[ -n "${FOLLOWER:-}" ] && kill "$FOLLOWER" 2>/dev/null
	rm -rf "$TMP"
}

@test "explain: help and usage errors" {
	run "$SYSFENCE" explain --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"usage: sysfence explain"* ]]
	[[ "$output" == *"SECCOMP_FILTER_FLAG_LOG"* ]]
	run "$SYSFENCE" help
	[[ "$output" == *explain* ]]
	run "$SYSFENCE" explain --bogus "$DATA/dmesg.txt"
	[ "$status" -eq 2 ]
	run "$SYSFENCE" explain -o xml "$DATA/dmesg.txt"
	[ "$status" -eq 2 ]
	run "$SYSFENCE" explain --profile --merge "$DATA/../mkdir-deny.json" "$DATA/dmesg.txt"
	[ "$status" -eq 2 ]
	run "$SYSFENCE" explain "$TMP/no-such-log"
	[ "$status" -eq 2 ]
	[[ "$output" == *"cannot open"* ]]
	run "$SYSFENCE" explain "$TMP"
	[ "$status" -eq 2 ]
}

@test "explain: dmesg lines decoded, one a record, with the summary" {
	run "$SYSFENCE" explain "$DATA/dmesg.txt"
	[ "$status" -eq 0 ]
	[[ "$output" == *"2023-11-14T22:13:20.079Z http-echo[29064] (/http-echo): getsockname (x86_64 51): LOG"* ]]
	[[ "$output" == *"http-echo[29101] (/http-echo): brk (x86 45): KILL_PROCESS, SIGSYS"* ]]
	[[ "$output" == *"mkdir[30300] (/usr/bin/mkdir): mkdir (x86_64 83): ERRNO"* ]]
	[[ "$output" == *"dmesg.txt:11:16: warning: log incomplete: audit records suppressed by printk: 37"* ]]
	[[ "$output" == *"sysfence: 11 records, 0 malformed lines, log incomplete: 37 records suppressed"* ]]
	# the summary: grouped by executable, then syscall
	[[ "$output" == *"/http-echo (http-echo)"*"       2  futex                x86_64   LOG"* ]]
}

@test "explain: every form, hex names, gaps and malformed lines" {
	run "$SYSFENCE" explain "$DATA/syslog.txt"
	[ "$status" -eq 0 ]
	[[ "$output" == *"my app.sh[1235] (/opt/my app/bin/run): mount (x86_64 165): KILL_PROCESS, SIGSYS"* ]]
	[[ "$output" == *"runc:[2:INIT][1240] (/usr/bin/runc): mkdir (x32 1073741907): TRACE"* ]]
	[[ "$output" == *"USER_NOTIF"* && "$output" == *"TRAP, SIGSYS"* && "$output" == *"KILL_THREAD, SIGSYS"* ]]
	[[ "$output" == *"log incomplete: 5 records suppressed, and more not counted"* ]]

	run "$SYSFENCE" explain "$DATA/audit.log" "$DATA/ausearch-i.txt" "$DATA/journal-k.txt" "$DATA/kmsg.txt"
	[ "$status" -eq 0 ]
	[[ "$output" == *"my prog[1300] (/tmp/my prog): open (x86_64 2): KILL_PROCESS, SIGSYS"* ]]
	[[ "$output" == *"python3[1400] (/usr/bin/python3.11): open (x86 5): LOG"* ]]
	[[ "$output" == *"11/14/2023 22:13:21.000 my prog[1300] (/opt/my app/bin/run): open (x86_64 2): KILL, SIGSYS"* ]]
	[[ "$output" == *"- touch[1300] (/usr/bin/touch): utimensat (x86_64 280): ERRNO"* ]]
	[[ "$output" == *"journal-k.txt:5:46: warning: log incomplete: kernel messages missed by journald: 12"* ]]
	[[ "$output" == *"sysfence: 13 records, 0 malformed lines, log incomplete: 8 records suppressed, 52 log messages missed"* ]]

	run "$SYSFENCE" explain "$DATA/malformed.txt"
	[ "$status" -eq 0 ]
	[[ "$output" == *"malformed.txt:2:38: warning: malformed seccomp record: truncated: no code="* ]]
	[[ "$output" == *"malformed.txt:4:38: warning: malformed seccomp record: code= is not a seccomp action (truncated?)"* ]]
	[[ "$output" == *"rmdir[1240] (/usr/bin/rmdir): rmdir (x86_64 84): ERRNO"* ]]
	[[ "$output" == *"sysfence: 2 records, 6 malformed lines"* ]]
}

@test "explain: standard input, and -q prints the summary only" {
	run sh -c "cat '$DATA/dmesg.txt' | '$SYSFENCE' explain -q"
	[ "$status" -eq 0 ]
	[[ "$output" != *"getsockname (x86_64 51): LOG"* ]]
	[[ "$output" == *"       1  getsockname          x86_64   LOG"* ]]
	[[ "$output" == *"sysfence: 11 records"* ]]
	run sh -c "'$SYSFENCE' explain - < '$DATA/kmsg.txt'"
	[ "$status" -eq 0 ]
	[[ "$output" == *"sysfence: 2 records"* ]]
	run sh -c "printf 'nothing here\n' | '$SYSFENCE' explain"
	[ "$status" -eq 0 ]
	[[ "$output" == *"sysfence: 0 records, 0 malformed lines"* ]]
	[[ "$output" == *"no seccomp records"* ]]
}

@test "explain -o json: one object a line with stable keys, then the summary" {
	run sh -c "'$SYSFENCE' explain -o json '$DATA/dmesg.txt' '$DATA/malformed.txt' > '$TMP/out.json'"
	[ "$status" -eq 0 ]
	python3 - "$TMP/out.json" <<'EOF'
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
types = [o["type"] for o in objs]
assert types[-1] == "summary" and types.count("summary") == 1, types
recs = [o for o in objs if o["type"] == "record"]
assert len(recs) == 13, len(recs)
keys = ["type", "file", "line", "column", "form", "time", "epoch", "serial", "pid", "comm", "exe",
        "abi", "arch", "syscall", "syscall_text", "syscall_nr", "compat", "action", "code",
        "signal", "signal_nr", "ip"]
for r in recs:
    assert list(r.keys()) == keys, list(r.keys())
r = recs[0]
assert (r["syscall"], r["abi"], r["action"], r["comm"], r["pid"]) == ("getsockname", "x86_64", "LOG", "http-echo", 29064), r
assert r["time"] == "2023-11-14T22:13:20.079Z" and r["code"] == "0x7ffc0000", r
k = [r for r in recs if r["action"] == "KILL_PROCESS"][0]
assert k["signal"] == "SIGSYS" and k["abi"] == "x86" and k["syscall"] == "brk", k
e = [r for r in recs if r["action"] == "ERRNO"][0]
assert "errno" not in e and e["code"] == "0x50000", e
assert types.count("malformed") == 6 and types.count("gap") == 1, types
s = objs[-1]
assert (s["records"], s["malformed"], s["incomplete"], s["suppressed"]) == (13, 6, True, 37), s
g = [g for g in s["groups"] if g["syscall"] == "futex"][0]
assert (g["exe"], g["count"], g["action"]) == ("/http-echo", 2, "LOG"), g
EOF
}

@test "explain --profile: the allowlist of what the log shows, valid for check and compile" {
	run "$SYSFENCE" explain --profile -o "$TMP/p.json" "$DATA/dmesg.txt"
	[ "$status" -eq 0 ]
	[[ "$output" == *"sysfence: 11 records"* ]]
	python3 - "$TMP/p.json" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
assert p["defaultAction"] == "SCMP_ACT_ERRNO", p
assert p["architectures"] == ["SCMP_ARCH_X86", "SCMP_ARCH_X86_64"], p["architectures"]
assert len(p["syscalls"]) == 1 and p["syscalls"][0]["action"] == "SCMP_ACT_ALLOW", p
names = p["syscalls"][0]["names"]
assert names == sorted(names) and len(set(names)) == len(names), names
for n in ["getsockname", "setsockopt", "futex", "accept4", "read", "pselect6", "mmap2", "brk", "mkdir"]:
    assert n in names, n
EOF
	run "$SYSFENCE" check "$TMP/p.json"
	[ "$status" -eq 0 ]
	run "$SYSFENCE" compile "$TMP/p.json" -o "$TMP/p.bpf"
	[ "$status" -eq 0 ]
	# to standard output, and as YAML
	run sh -c "'$SYSFENCE' explain --profile '$DATA/dmesg.txt' 2>/dev/null"
	[[ "$output" == "{"*"SCMP_ACT_ERRNO"* ]]
	run sh -c "'$SYSFENCE' explain --profile -o yaml '$DATA/dmesg.txt' 2>/dev/null"
	[[ "$output" == *"defaultAction: SCMP_ACT_ERRNO"* ]]
}

@test "explain --merge: names join the profile's ALLOW rule; other rules are left, with a warning" {
	cat >"$TMP/m.json" <<'EOF'
{
  "defaultAction": "SCMP_ACT_ERRNO",
  "architectures": ["SCMP_ARCH_X86_64"],
  "syscalls": [
    { "names": ["read", "write"], "action": "SCMP_ACT_ALLOW" },
    { "names": ["futex"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1 }
  ]
}
EOF
	run "$SYSFENCE" explain --merge "$TMP/m.json" -o "$TMP/m.json" "$DATA/dmesg.txt"
	[ "$status" -eq 0 ]
	[[ "$output" == *"m.json:6:17: warning: syscalls[1].names[0]: futex: seen in the log, left to this rule (SCMP_ACT_ERRNO)"* ]]
	[[ "$output" == *"8 syscalls added, 1 already allowed, 1 left to other rules, 1 architecture added"* ]]
	python3 - "$TMP/m.json" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
assert p["architectures"] == ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"], p
allow = p["syscalls"][0]["names"]
assert allow[:2] == ["read", "write"] and "getsockname" in allow and "futex" not in allow, allow
assert p["syscalls"][1]["names"] == ["futex"], p
EOF
	run "$SYSFENCE" check "$TMP/m.json"
	[ "$status" -eq 0 ]
	# an invalid profile is refused
	printf '{ "defaultAction": "SCMP_ACT_NOPE" }\n' >"$TMP/bad.json"
	run "$SYSFENCE" explain --merge "$TMP/bad.json" "$DATA/dmesg.txt"
	[ "$status" -eq 1 ]
}

@test "explain --follow: reads what is appended, prints the summary on SIGINT" {
	head -3 "$DATA/dmesg.txt" >"$TMP/live.log"
	"$SYSFENCE" explain --follow "$TMP/live.log" >"$TMP/out" 2>"$TMP/err" &
	FOLLOWER=$!
	sleep 0.5
	sed -n 4,6p "$DATA/dmesg.txt" >>"$TMP/live.log"
	# a line written in two pieces is read whole
	line=$(sed -n 7p "$DATA/dmesg.txt")
	printf '%s' "${line:0:60}" >>"$TMP/live.log"
	sleep 0.5
	printf '%s\n' "${line:60}" >>"$TMP/live.log"
	for _ in $(seq 1 50); do
		grep -q "accept4 (x86_64 288)" "$TMP/out" && break
		sleep 0.1
	done
	kill -INT "$FOLLOWER"
	wait "$FOLLOWER"
	FOLLOWER=
	grep -q "getsockname (x86_64 51): LOG" "$TMP/out"
	grep -q "accept4 (x86_64 288): LOG" "$TMP/out"
	grep -q "sysfence: 4 records, 0 malformed lines" "$TMP/out"
	[ ! -s "$TMP/err" ] || grep -qv malformed "$TMP/err"
}

@test "explain /dev/kmsg: reads the ring buffer and stops at its end" {
	[ -r /dev/kmsg ] || skip "/dev/kmsg is not readable"
	run timeout 20 "$SYSFENCE" explain -q /dev/kmsg
	[ "$status" -eq 0 ]
	[[ "$output" == *"sysfence: "*" records, "* ]]
}

# Real records: the kernel writes them when a filter loaded with SECCOMP_FILTER_FLAG_LOG returns
# ERRNO or LOG, and for KILL always. Other tests log concurrently and printk is rate-limited:
# the run is repeated until our records (named after this test's own executables) show.
real_records_or_skip() {
	[ "$(id -u)" -eq 0 ] || skip "needs root to read the kernel log"
	local logged
	logged=$(cat /proc/sys/kernel/seccomp/actions_logged 2>/dev/null) || skip "no /proc/sys/kernel/seccomp/actions_logged"
	for a in errno log kill_process; do
		[[ " $logged " == *" $a "* ]] || skip "the kernel does not log $a (actions_logged: $logged)"
	done
	if pgrep -x auditd >/dev/null 2>&1; then
		skip "auditd runs: records go to /var/log/audit/audit.log"
	fi
	[ -r /dev/kmsg ] || skip "/dev/kmsg is not readable"
}

@test "explain: real kernel records (ERRNO and LOG under SECCOMP_FILTER_FLAG_LOG, KILL_PROCESS)" {
	real_records_or_skip
	local id=$$$RANDOM
	local errno_exe="$TMP/sfe${id:0:10}" kill_exe="$TMP/sfk ${id:0:9}"
	cp /bin/mkdir "$errno_exe"
	cp /bin/mkdir "$kill_exe"
	cat >"$TMP/log.json" <<'EOF'
{ "defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_LOG"],
  "syscalls": [ { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13 },
                { "names": ["set_tid_address"], "action": "SCMP_ACT_LOG" } ] }
EOF
	cat >"$TMP/kill.json" <<'EOF'
{ "defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [ { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_KILL_PROCESS" } ] }
EOF
	local seen=""
	for i in $(seq 1 20); do
		run "$SYSFENCE" run --profile "$TMP/log.json" -- "$errno_exe" "$TMP/d$i"
		[ "$status" -eq 1 ]
		[[ "$output" == *"Permission denied"* ]]   # errnoRet 13, EACCES
		run "$SYSFENCE" run --profile "$TMP/kill.json" -- "$kill_exe" "$TMP/k$i"
		[ "$status" -eq 159 ]
		sleep 0.2
		"$SYSFENCE" explain -o json /dev/kmsg >"$TMP/kmsg.json" 2>/dev/null
		if python3 - "$TMP/kmsg.json" "$errno_exe" "$kill_exe" <<'EOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
recs = [r for r in recs if r["type"] == "record"]
# mkdir(1) calls mkdir(2), or mkdirat(2) where there is no mkdir (aarch64)
mine = {(r["exe"], r["syscall"].replace("mkdirat", "mkdir"), r["action"])
        for r in recs if r["exe"] in sys.argv[2:] and r["syscall"]}
want = {(sys.argv[2], "mkdir", "ERRNO"), (sys.argv[2], "set_tid_address", "LOG"),
        (sys.argv[3], "mkdir", "KILL_PROCESS")}
sys.exit(0 if want <= mine else 1)
EOF
		then
			seen=1
			break
		fi
		sleep 1
	done
	[ -n "$seen" ] || skip "printk's rate limit dropped our records 20 times: other tests log too much now"

	python3 - "$TMP/kmsg.json" "$errno_exe" "$kill_exe" <<'EOF'
import json, sys, os
recs = [json.loads(l) for l in open(sys.argv[1]) if '"record"' in l]
e = [r for r in recs if r["exe"] == sys.argv[2] and r["syscall"] in ("mkdir", "mkdirat")][-1]
# ERRNO(13) was asked for; the kernel logs ERRNO alone
assert e["action"] == "ERRNO" and e["code"] == "0x50000", e
assert e["abi"] and e["syscall_nr"] is not None and e["pid"] > 0, e
assert e["comm"] == os.path.basename(sys.argv[2])[:15] and e["signal_nr"] == 0, e
assert e["form"] == "printk" and e["time"].endswith("Z"), e
k = [r for r in recs if r["exe"] == sys.argv[3]][-1]
# the name has a space: the kernel wrote comm= and exe= in hex, read back here
assert k["comm"] == os.path.basename(sys.argv[3])[:15], k
assert k["action"] == "KILL_PROCESS" and k["signal"] == "SIGSYS", k
assert k["syscall"] in ("mkdir", "mkdirat"), k
EOF
	# The same records as dmesg prints them, and the profile they make.
	dmesg 2>/dev/null | grep -F "$(basename "$errno_exe")" >"$TMP/dmesg.txt" || true
	if [ -s "$TMP/dmesg.txt" ]; then
		run "$SYSFENCE" explain "$TMP/dmesg.txt"
		[ "$status" -eq 0 ]
		[[ "$output" == *"($errno_exe): mkdir"*"): ERRNO"* ]]
		run "$SYSFENCE" explain --profile "$TMP/dmesg.txt"
		[ "$status" -eq 0 ]
		[[ "$output" == *'"mkdir"'* && "$output" == *'"set_tid_address"'* ]]
	fi
}
