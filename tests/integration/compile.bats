#!/usr/bin/env bats
# sysfence compile / emulate / diff: the command line as a user meets it, down to the real
# kernel: compiled programs are loaded with seccomp(2) by tests/data/compile/load.py.

setup() {
	SYSFENCE=${SYSFENCE:-$BATS_TEST_DIRNAME/../../build/sysfence}
	DATA=$BATS_TEST_DIRNAME/../data
	C=$DATA/compile
	SHARED=${SYSFENCE_SHARED:-$BATS_TEST_DIRNAME/../../../shared}
	TMP=$(mktemp -d)
}

teardown() {
	rm -rf "$TMP"
}

# nbytes FILE
nbytes() {
	stat -c %s "$1"
}

# load PROG COMMAND...: run COMMAND under the raw seccomp program PROG (load.py exits 125
# when the kernel refuses the program).
load() {
	python3 "$C/load.py" "$@"
}

need_kernel_seccomp() {
	case "$(uname -m)" in
	x86_64 | aarch64) ;;
	*) skip "load.py knows no seccomp syscall number for $(uname -m)" ;;
	esac
	grep -q '^Seccomp:' /proc/self/status || skip "kernel without seccomp"
}

need_x86_64() {
	[ "$(uname -m)" = x86_64 ] || skip "expectations are for an x86_64 host"
}

# ---------------------------------------------------------------------------------------
# compile

@test "compile writes raw struct sock_filter[]: whole instructions, the same bytes every time" {
	"$SYSFENCE" compile "$DATA/mkdir-deny.json" >"$TMP/a.bpf"
	n=$(nbytes "$TMP/a.bpf")
	[ "$n" -gt 0 ]
	[ $((n % 8)) -eq 0 ]
	"$SYSFENCE" compile "$DATA/mkdir-deny.json" >"$TMP/b.bpf"
	cmp "$TMP/a.bpf" "$TMP/b.bpf"
	"$SYSFENCE" compile "$DATA/mkdir-deny.json" -o "$TMP/c.bpf"
	cmp "$TMP/a.bpf" "$TMP/c.bpf"
	# the first instruction is libseccomp's: ld [arch] (BPF_LD|BPF_W|BPF_ABS, k = 4)
	[ "$(od -An -tx1 -N8 "$TMP/a.bpf" | tr -d ' \n')" = 2000000004000000 ]
}

@test "compile refuses to write a binary program to a terminal" {
	command -v script >/dev/null || skip "script(1) not installed"
	run script -qec "'$SYSFENCE' compile '$DATA/mkdir-deny.json'" /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"not writing a binary program to a terminal"* ]]
	# text formats are fine on a terminal
	run script -qec "'$SYSFENCE' compile --format disasm '$DATA/mkdir-deny.json'" /dev/null
	[ "$status" -eq 0 ]
	[[ "$output" == *"ld [arch]"* ]]
}

@test "--format c, hex and disasm are the raw program, instruction for instruction" {
	"$SYSFENCE" compile "$DATA/mkdir-deny.json" -o "$TMP/p.bpf"
	n=$(($(nbytes "$TMP/p.bpf") / 8))

	"$SYSFENCE" compile "$DATA/mkdir-deny.json" --format hex >"$TMP/p.hex"
	[ "$(wc -l <"$TMP/p.hex")" -eq "$n" ]
	python3 - "$TMP/p.hex" "$TMP/p.bpf" <<'EOF'
import struct, sys
want = open(sys.argv[2], "rb").read()
got = b"".join(struct.pack("=HBBI", *(int(x, 16) for x in line.split()))
               for line in open(sys.argv[1]))
assert got == want, "hex and raw differ"
EOF

	"$SYSFENCE" compile "$DATA/mkdir-deny.json" --format c >"$TMP/filter.h"
	grep -q "$n instructions" "$TMP/filter.h"
	if command -v cc >/dev/null; then
		cat >"$TMP/t.c" <<'EOF'
#include <linux/filter.h>
#include <stdio.h>
#include <string.h>
#include "filter.h"
int main(int argc, char **argv)
{
	static unsigned char raw[sizeof(filter) + 1];
	FILE *f = fopen(argv[1], "rb");
	size_t n = f ? fread(raw, 1, sizeof(raw), f) : 0;
	return n == sizeof(filter) && memcmp(raw, filter, n) == 0 ? 0 : 1;
}
EOF
		cc -Wall -Werror -o "$TMP/t" "$TMP/t.c"
		"$TMP/t" "$TMP/p.bpf"
	fi

	run "$SYSFENCE" compile "$DATA/mkdir-deny.json" --format disasm
	[ "$status" -eq 0 ]
	[ "$(grep -cE '^ *[0-9]+: ' <<<"$output")" -eq "$n" ]
	[[ "${lines[0]}" == *"ld [arch]"* ]]
	[[ "$output" == *"; AUDIT_ARCH_X86_64"* ]]
	[[ "$output" == *"; AUDIT_ARCH_I386"* ]]   # the profile lists SCMP_ARCH_X86
	[[ "$output" == *"; mkdir"* ]]
	[[ "$output" == *"; mkdirat"* ]]
	[[ "$output" == *"ret ERRNO(1)"* ]]
	[[ "$output" == *"ret ALLOW"* ]]
	# the same text as disassembling the raw program
	[ "$output" = "$("$SYSFENCE" disasm "$TMP/p.bpf")" ]
}

@test "-o FILE replaces the file atomically, and not at all on failure" {
	echo old >"$TMP/out.bpf"
	ln "$TMP/out.bpf" "$TMP/keep"
	"$SYSFENCE" compile "$DATA/mkdir-deny.json" -o "$TMP/out.bpf"
	# a new file was renamed in: a hard link to the old one still holds the old bytes
	[ "$(cat "$TMP/keep")" = old ]
	[ "$(stat -c %i "$TMP/out.bpf")" != "$(stat -c %i "$TMP/keep")" ]
	"$SYSFENCE" compile "$DATA/mkdir-deny.json" | cmp - "$TMP/out.bpf"
	touch "$TMP/ref"   # the mode a new file gets under this umask
	[ "$(stat -c %a "$TMP/out.bpf")" = "$(stat -c %a "$TMP/ref")" ]
	rm "$TMP/ref"
	# an invalid profile leaves the old file alone and no temporary file behind
	cp "$TMP/out.bpf" "$TMP/before"
	run "$SYSFENCE" compile "$DATA/typos.json" -o "$TMP/out.bpf"
	[ "$status" -eq 1 ]
	cmp "$TMP/before" "$TMP/out.bpf"
	[ "$(ls -A "$TMP" | sort | tr '\n' ' ')" = "before keep out.bpf " ]
	# an unwritable place is an I/O error
	run "$SYSFENCE" compile "$DATA/mkdir-deny.json" -o "$TMP/no/such/dir/x.bpf"
	[ "$status" -eq 2 ]
	[[ "$output" == *"x.bpf"* ]]
}

@test "-v prints the instruction count and that the program was verified" {
	run "$SYSFENCE" compile -v "$DATA/mkdir-deny.json" -o "$TMP/p.bpf"
	[ "$status" -eq 0 ]
	n=$(($(nbytes "$TMP/p.bpf") / 8))
	[[ "$output" == *" $n instructions"* ]]
	[[ "$output" == *" verified"* ]]
	run "$SYSFENCE" compile "$DATA/mkdir-deny.json" -o "$TMP/p.bpf"
	[ -z "$output" ]
	run "$SYSFENCE" compile -v --no-verify "$DATA/mkdir-deny.json" -o "$TMP/q.bpf"
	[ "$status" -eq 0 ]
	cmp "$TMP/p.bpf" "$TMP/q.bpf"
	[[ "$output" == *" $n instructions"* ]]
	[[ "$output" == *"not verified"* ]]
}

@test "an invalid profile: exit 1, located at FILE:LINE:COL, nothing written" {
	run "$SYSFENCE" compile "$DATA/typos.json" -o "$TMP/p.bpf"
	[ "$status" -eq 1 ]
	[[ "$output" == *"typos.json:11:14: error: syscalls[1].action: unknown action \"SCMP_ACT_ALOW\""* ]]
	[ ! -e "$TMP/p.bpf" ]
	printf '{\n  "defaultAction": "SCMP_ACT_ERRNO",\n  "syscalls": [1,]\n}\n' >"$TMP/bad.json"
	run "$SYSFENCE" compile "$TMP/bad.json" --format disasm
	[ "$status" -eq 1 ]
	[[ "$output" == *"bad.json:3:17: error:"* ]]
	[[ "$output" != *"ld [arch]"* ]]
}

@test "an unknown syscall name is skipped with a warning; --strict refuses it" {
	run "$SYSFENCE" compile "$C/unknown-name.json" -o "$TMP/u.bpf"
	[ "$status" -eq 0 ]
	[[ "$output" == *"unknown-name.json:6:41: warning:"*"no_such_syscall"* ]]
	# skipped means: the program is the one without the name
	"$SYSFENCE" compile "$C/base.json" -o "$TMP/base.bpf"
	cmp "$TMP/u.bpf" "$TMP/base.bpf"
	run "$SYSFENCE" compile --strict "$C/unknown-name.json" -o "$TMP/s.bpf"
	[ "$status" -eq 1 ]
	[[ "$output" == *"unknown-name.json:6:41: error:"*"no_such_syscall"* ]]
	[ ! -e "$TMP/s.bpf" ]
}

@test "--arch aarch64 cross-compiles for that architecture only" {
	run "$SYSFENCE" compile --arch aarch64 --format disasm "$DATA/mkdir-deny.json"
	[ "$status" -eq 0 ]
	[[ "$output" == *"; AUDIT_ARCH_AARCH64"* ]]
	[[ "$output" != *"AUDIT_ARCH_X86_64"* ]]
	[[ "$output" != *"AUDIT_ARCH_I386"* ]]
	[ "$(grep -c AUDIT_ARCH_ <<<"$output")" -eq 1 ]
	[[ "$output" == *"; mkdirat"* ]]     # aarch64 has no mkdir
	"$SYSFENCE" compile --arch aarch64 "$DATA/mkdir-deny.json" -o "$TMP/a64.bpf"
	run "$SYSFENCE" emulate "$TMP/a64.bpf" --arch aarch64 --syscall mkdirat
	[[ "$output" == "ERRNO(1) "* ]]
	run "$SYSFENCE" emulate "$TMP/a64.bpf" --arch aarch64 --syscall openat
	[[ "$output" == "ALLOW "* ]]
	run "$SYSFENCE" emulate "$TMP/a64.bpf" --arch x86_64 --syscall read
	[[ "$output" == "KILL_THREAD "* ]]
}

@test "--bad-arch sets what other architectures get" {
	need_x86_64
	run "$SYSFENCE" compile --format disasm "$C/base.json"
	[[ "$output" != *"ERRNO(38)"* ]]
	run "$SYSFENCE" compile --bad-arch 'ERRNO(38)' --format disasm "$C/base.json"
	[ "$status" -eq 0 ]
	[[ "$output" == *"ret ERRNO(38)"* ]]
	"$SYSFENCE" compile --bad-arch 'ERRNO(38)' "$C/base.json" -o "$TMP/p.bpf"
	run "$SYSFENCE" emulate "$TMP/p.bpf" --arch x86 --syscall read
	[[ "$output" == "ERRNO(38) "* ]]
	run "$SYSFENCE" emulate "$TMP/p.bpf" --arch x86_64 --syscall read
	[[ "$output" == "ALLOW "* ]]
	run "$SYSFENCE" emulate "$C/base.json" --bad-arch 'ERRNO(38)' --arch aarch64 --syscall read
	[[ "$output" == "ERRNO(38) "* ]]
	run "$SYSFENCE" compile --bad-arch 'NOPE(1)' "$C/base.json" -o "$TMP/x.bpf"
	[ "$status" -eq 2 ]
	[ ! -e "$TMP/x.bpf" ]
}

@test "--runc-compat adds runc's ENOSYS stub above the largest syscall named" {
	need_x86_64
	"$SYSFENCE" compile "$C/base.json" -o "$TMP/plain.bpf"
	"$SYSFENCE" compile --runc-compat "$C/base.json" -o "$TMP/runc.bpf"
	run cmp -s "$TMP/plain.bpf" "$TMP/runc.bpf"
	[ "$status" -eq 1 ]   # they differ
	# base.json's largest x86_64 syscall is exit_group (231)
	run "$SYSFENCE" emulate "$C/base.json" --syscall 300
	[[ "$output" == "ERRNO(1) "* ]]
	run "$SYSFENCE" emulate "$C/base.json" --runc-compat --syscall 300
	[[ "$output" == "ERRNO(38) "* ]]
	run "$SYSFENCE" emulate "$TMP/runc.bpf" --syscall 300
	[[ "$output" == "ERRNO(38) "* ]]
	run "$SYSFENCE" emulate "$TMP/plain.bpf" --syscall 300
	[[ "$output" == "ERRNO(1) "* ]]
	# at and below the largest, the profile decides as before
	run "$SYSFENCE" emulate "$C/base.json" --runc-compat --syscall exit_group
	[[ "$output" == "ALLOW "* ]]
	run "$SYSFENCE" emulate "$C/base.json" --runc-compat --syscall 200
	[[ "$output" == "ERRNO(1) "* ]]
}

@test "usage errors exit 2" {
	run "$SYSFENCE" compile --bogus "$DATA/mkdir-deny.json"
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown option"* ]]
	run "$SYSFENCE" compile
	[ "$status" -eq 2 ]
	run "$SYSFENCE" compile "$DATA/mkdir-deny.json" "$C/base.json" -o "$TMP/x"
	[ "$status" -eq 2 ]
	run "$SYSFENCE" compile --format elf "$DATA/mkdir-deny.json" -o "$TMP/x"
	[ "$status" -eq 2 ]
	run "$SYSFENCE" compile "$TMP/missing.json" -o "$TMP/x"
	[ "$status" -eq 2 ]
	[ ! -e "$TMP/x" ]
	run "$SYSFENCE" compile --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"usage: sysfence compile"* ]]
}

@test "the kernel loads the program and mkdir fails with Operation not permitted" {
	need_kernel_seccomp
	[ -x /bin/busybox ] || skip "busybox not installed"
	"$SYSFENCE" compile "$DATA/mkdir-deny.json" -o "$TMP/p.bpf"
	# without the filter, mkdir works
	/bin/busybox mkdir "$TMP/control"
	[ -d "$TMP/control" ]
	run load "$TMP/p.bpf" /bin/busybox mkdir "$TMP/x"
	[ "$status" -ne 0 ]
	[ "$status" -ne 125 ]
	[[ "$output" == *"Operation not permitted"* ]]
	[ ! -e "$TMP/x" ]
	run load "$TMP/p.bpf" /bin/busybox echo still here
	[ "$status" -eq 0 ]
	[ "$output" = "still here" ]
	# mkdirat is denied too; rmdir is not
	py=$(python3 -c 'import sys; print(sys.executable)')
	run load "$TMP/p.bpf" "$py" -c 'import os; os.mkdir("x", dir_fd=os.open("'"$TMP"'", os.O_RDONLY))'
	[ "$status" -eq 1 ]
	[[ "$output" == *"PermissionError"*"Operation not permitted"* ]]
	[ ! -e "$TMP/x" ]
	run load "$TMP/p.bpf" /bin/busybox rmdir "$TMP/control"
	[ "$status" -eq 0 ]
	[ ! -e "$TMP/control" ]
}

@test "the loader can fail: the kernel refuses a program it cannot check" {
	need_kernel_seccomp
	# ld [0x100] reads beyond struct seccomp_data: seccomp(2) says EINVAL
	printf '\x20\x00\x00\x00\x00\x01\x00\x00\x06\x00\x00\x00\x00\x00\xff\x7f' >"$TMP/bad.bpf"
	run load "$TMP/bad.bpf" /bin/true
	[ "$status" -eq 125 ]
	[[ "$output" == *"Invalid argument"* ]]
}

@test "every profile of the shared corpus compiles, and the kernel loads the program" {
	[ -d "$SHARED/corpus/profiles" ] || skip "shared corpus not found at $SHARED"
	need_kernel_seccomp
	for f in "$SHARED"/corpus/profiles/*.json "$SHARED"/corpus/spo/baseprofile-*.yaml; do
		b=$(basename "$f")
		run "$SYSFENCE" compile "$f" -o "$TMP/$b.bpf"
		if [ "$b" = moby-fixture-example.json ]; then
			# errnoRet 12345: the kernel caps errno at 4095: refused on purpose
			[ "$status" -eq 1 ]
			[[ "$output" == *"beyond 4095"* ]]
			[ ! -e "$TMP/$b.bpf" ]
			continue
		fi
		if [ "$status" -ne 0 ]; then echo "$b: compile: $output"; false; fi
		n=$(nbytes "$TMP/$b.bpf")
		if [ "$n" -eq 0 ] || [ $((n % 8)) -ne 0 ] || [ "$n" -gt $((4096 * 8)) ]; then
			echo "$b: $n bytes"
			false
		fi
		# load, then exit_group at once: 0 where the profile allows exit_group; else
		# whatever the filter makes of it, but never the loader's refusal
		run "$SYSFENCE" emulate "$f" --syscall exit_group
		eg=$output
		run load "$TMP/$b.bpf"
		if [ "$status" -eq 125 ] || { [[ "$eg" == ALLOW* ]] && [ "$status" -ne 0 ]; }; then
			echo "$b: load: status $status (exit_group: $eg): $output"
			false
		fi
	done
}

# ---------------------------------------------------------------------------------------
# emulate

@test "emulate --syscall prints the action and the instructions run" {
	need_x86_64
	run "$SYSFENCE" emulate "$DATA/mkdir-deny.json" --syscall mkdir
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^ERRNO\(1\)\ \(([0-9]+)\ instructions\)$ ]]
	[ "${BASH_REMATCH[1]}" -gt 2 ]
	run "$SYSFENCE" emulate "$DATA/mkdir-deny.json" --syscall 83
	[[ "$output" == "ERRNO(1) ("* ]]
	run "$SYSFENCE" emulate "$DATA/mkdir-deny.json" --syscall mkdirat
	[[ "$output" == "ERRNO(1) ("* ]]
	run "$SYSFENCE" emulate "$DATA/mkdir-deny.json" --syscall rmdir
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^ALLOW\ \([0-9]+\ instructions\)$ ]]
	run "$SYSFENCE" emulate "$C/base.json" --syscall mkdir
	[[ "$output" == "ERRNO(13) ("* ]]
}

@test "emulate --args decides argument rules" {
	need_x86_64
	# allowlist.yaml: personality only for 0
	run "$SYSFENCE" emulate "$DATA/allowlist.yaml" --syscall personality
	[[ "$output" == "ALLOW ("* ]]          # no --args: all zero
	run "$SYSFENCE" emulate "$DATA/allowlist.yaml" --syscall personality --args 0
	[[ "$output" == "ALLOW ("* ]]
	run "$SYSFENCE" emulate "$DATA/allowlist.yaml" --syscall personality --args 8
	[ "$status" -eq 0 ]
	[[ "$output" == "ERRNO(1) ("* ]]
	run "$SYSFENCE" emulate "$DATA/allowlist.yaml" --syscall personality --args 0x100000000
	[[ "$output" == "ERRNO(1) ("* ]]       # the high word counts
	run "$SYSFENCE" emulate "$DATA/allowlist.yaml" --syscall personality --args -1
	[[ "$output" == "ERRNO(1) ("* ]]
	run "$SYSFENCE" emulate "$C/base-args.json" --syscall personality --args 8
	[[ "$output" == "ALLOW ("* ]]
	run "$SYSFENCE" emulate "$DATA/allowlist.yaml" --syscall personality --args 1,2,3,4,5,6,7
	[ "$status" -eq 2 ]
}

@test "emulate --all lists every syscall of the architecture" {
	need_x86_64
	run "$SYSFENCE" emulate "$DATA/mkdir-deny.json" --all
	[ "$status" -eq 0 ]
	total=$("$SYSFENCE" resolve --list | wc -l)
	[ "$total" -gt 300 ]
	[ "${#lines[@]}" -eq "$total" ]
	diff <(awk '{print $1, $2}' <<<"$output" | sort) <("$SYSFENCE" resolve --list | sort)
	# a deny list of two: everything else allowed
	[ "$(grep -c 'ERRNO(1)' <<<"$output")" -eq 2 ]
	[[ "$output" =~ (^|$'\n')83\ +mkdir\ +ERRNO\(1\)\ +[0-9]+ ]]
	[[ "$output" =~ (^|$'\n')258\ +mkdirat\ +ERRNO\(1\)\ +[0-9]+ ]]
	[ "$(grep -c ' ALLOW ' <<<"$output")" -eq $((total - 2)) ]
	run "$SYSFENCE" emulate "$DATA/mkdir-deny.json" --all --arch x86
	[ "${#lines[@]}" -eq "$("$SYSFENCE" resolve --list --arch x86 | wc -l)" ]
	[[ "$output" =~ (^|$'\n')39\ +mkdir\ +ERRNO\(1\) ]]
}

@test "emulate -o json has name, nr, action and instructions" {
	need_x86_64
	run "$SYSFENCE" emulate "$DATA/allowlist.yaml" --syscall personality --args 8 -o json
	[ "$status" -eq 0 ]
	python3 -c '
import json, sys
d = json.loads(sys.argv[1])
s = d["syscalls"]
assert len(s) == 1, d
assert s[0]["name"] == "personality" and s[0]["nr"] == 135, s
assert s[0]["action"] == "ERRNO(1)" and isinstance(s[0]["instructions"], int) and s[0]["instructions"] > 0, s
' "$output"
	"$SYSFENCE" emulate "$DATA/mkdir-deny.json" --all -o json >"$TMP/all.json"
	"$SYSFENCE" emulate "$DATA/mkdir-deny.json" --all >"$TMP/all.txt"
	python3 - "$TMP/all.json" "$TMP/all.txt" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
text = [l.split() for l in open(sys.argv[2])]
got = [(str(s["nr"]), s["name"], s["action"], str(s["instructions"])) for s in d["syscalls"]]
assert got == [tuple(t) for t in text], "json and text differ"
assert {s["name"] for s in d["syscalls"] if s["action"] != "ALLOW"} == {"mkdir", "mkdirat"}
EOF
}

@test "a raw program from compile answers as its profile does" {
	need_x86_64
	for p in "$DATA/allowlist.yaml" "$DATA/mkdir-deny.json" "$C/base.json"; do
		"$SYSFENCE" compile "$p" -o "$TMP/p.bpf"
		for a in x86_64 x86 x32; do
			diff <("$SYSFENCE" emulate "$p" --arch $a --all) <("$SYSFENCE" emulate "$TMP/p.bpf" --arch $a --all)
		done
		for args in 0 8 0x100000000; do
			[ "$("$SYSFENCE" emulate "$p" --syscall personality --args $args)" = \
			  "$("$SYSFENCE" emulate "$TMP/p.bpf" --syscall personality --args $args)" ]
		done
	done
	# any name, with --bpf
	cp "$TMP/p.bpf" "$TMP/prog.raw"
	run "$SYSFENCE" emulate --bpf "$TMP/prog.raw" --syscall mkdir
	[[ "$output" == "ERRNO(13) ("* ]]
}

@test "emulate --arch: an ABI the profile does not list gets the bad-arch action" {
	need_x86_64
	# base.json lists SCMP_ARCH_X86_64 only
	run "$SYSFENCE" emulate "$C/base.json" --arch x86 --syscall read
	[ "$status" -eq 0 ]
	[[ "$output" == "KILL_THREAD ("* ]]
	run "$SYSFENCE" emulate "$C/base.json" --arch x86_64 --syscall read
	[[ "$output" == "ALLOW ("* ]]
	# allowlist.yaml lists SCMP_ARCH_X86: its rules apply, arguments too
	run "$SYSFENCE" emulate "$DATA/allowlist.yaml" --arch x86 --syscall read
	[[ "$output" == "ALLOW ("* ]]
	run "$SYSFENCE" emulate "$DATA/allowlist.yaml" --arch x86 --syscall mkdir
	[[ "$output" == "ERRNO(1) ("* ]]
	run "$SYSFENCE" emulate "$DATA/allowlist.yaml" --arch x86 --syscall personality --args 0
	[[ "$output" == "ALLOW ("* ]]
	run "$SYSFENCE" emulate "$DATA/allowlist.yaml" --arch x86 --syscall 136 --args 8
	[[ "$output" == "ERRNO(1) ("* ]]
}

@test "emulate errors: unknown syscall exit 1 with a suggestion; no --syscall or --all exit 2" {
	run "$SYSFENCE" emulate "$DATA/mkdir-deny.json" --syscall mkdirr
	[ "$status" -eq 1 ]
	[[ "$output" == *"mkdirr"*"did you mean 'mkdir'"* ]]
	run "$SYSFENCE" emulate "$DATA/mkdir-deny.json"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--syscall"* ]]
	run "$SYSFENCE" emulate --all
	[ "$status" -eq 2 ]
	run "$SYSFENCE" emulate "$DATA/typos.json" --syscall read
	[ "$status" -eq 1 ]
	[[ "$output" == *"typos.json:11:14"* ]]
	run "$SYSFENCE" emulate "$DATA/mkdir-deny.json" --syscall read --bogus
	[ "$status" -eq 2 ]
}

# ---------------------------------------------------------------------------------------
# diff

@test "diff of a profile with itself: same meaning, exit 0" {
	run "$SYSFENCE" diff "$C/base.json" "$C/base.json"
	[ "$status" -eq 0 ]
	[ "$output" = "same meaning" ]
	run "$SYSFENCE" diff "$DATA/allowlist.yaml" "$DATA/allowlist.yaml"
	[ "$status" -eq 0 ]
	[ "$output" = "same meaning" ]
}

@test "diff: order, grouping of names and the legacy \"name\" form do not matter" {
	run "$SYSFENCE" diff "$C/base.json" "$C/base-reordered.json"
	[ "$status" -eq 0 ]
	[ "$output" = "same meaning" ]
	run "$SYSFENCE" diff "$C/base-reordered.json" "$C/base.json"
	[ "$status" -eq 0 ]
	[ "$output" = "same meaning" ]
	# and the same program: the compiler agrees
	"$SYSFENCE" compile "$C/base.json" -o "$TMP/a.bpf"
	"$SYSFENCE" compile "$C/base-reordered.json" -o "$TMP/b.bpf"
	diff <("$SYSFENCE" emulate "$TMP/a.bpf" --all) <("$SYSFENCE" emulate "$TMP/b.bpf" --all)
}

@test "diff: one more syscall allowed is +1, and -1 the other way" {
	run "$SYSFENCE" diff "$C/base.json" "$C/base-plus-getpid.json"
	[ "$status" -eq 1 ]
	[[ "$output" =~ getpid\ +ERRNO\(1\)\ +-\>\ ALLOW ]]
	[ "$(grep -c -- '->' <<<"$output")" -eq 1 ]
	[ "${lines[-1]}" = "+1 allowed, -0, 0 changed" ]
	run "$SYSFENCE" diff "$C/base-plus-getpid.json" "$C/base.json"
	[ "$status" -eq 1 ]
	[[ "$output" =~ getpid\ +ALLOW\ +-\>\ ERRNO\(1\) ]]
	[ "${lines[-1]}" = "+0 allowed, -1, 0 changed" ]
}

@test "diff: another errno is a change" {
	run "$SYSFENCE" diff "$C/base.json" "$C/base-errno.json"
	[ "$status" -eq 1 ]
	[[ "$output" =~ mkdir\ +ERRNO\(13\)\ +-\>\ ERRNO\(17\) ]]
	[ "${lines[-1]}" = "+0 allowed, -0, 1 changed" ]
}

@test "diff: an argument rule's difference shows the argument values" {
	run "$SYSFENCE" diff "$C/base.json" "$C/base-args.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *"personality"*"depends on arguments"* ]]
	[[ "$output" == *"(all zero): ALLOW -> ERRNO(1)"* ]]
	[[ "$output" == *"a0=0x8: ERRNO(1) -> ALLOW"* ]]
	[ "${lines[-1]}" = "+0 allowed, -0, 1 changed" ]
}

@test "diff: a syscall allowed for one more argument value depends on arguments" {
	# base-args-more.json allows personality(8) as well as personality(0): B allows more,
	# but only for a0 = 8; personality(1) is refused by both.
	run "$SYSFENCE" emulate "$C/base-args-more.json" --syscall personality --args 1
	[[ "$output" == "ERRNO(1) ("* ]]
	run "$SYSFENCE" diff "$C/base.json" "$C/base-args-more.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *"personality"*"depends on arguments"* ]]
	[[ "$output" == *"a0=0x8: ERRNO(1) -> ALLOW"* ]]
	[ "${lines[-1]}" = "+0 allowed, -0, 1 changed" ]
	run "$SYSFENCE" diff "$C/base.json" "$C/base-args-more.json" -o json
	python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["summary"]["changed"] == 1 and d["summary"]["allowed"] == 0, d["summary"]
assert all(x.get("args") for x in d["differences"]), d["differences"]
' "$output"
}

# diff_json_matches_text A B: -o json parses, and its summary is the text's last line
diff_json_matches_text() {
	run "$SYSFENCE" diff "$1" "$2"
	local text_status=$status text_last=${lines[-1]}
	run "$SYSFENCE" diff -o json "$1" "$2"
	[ "$status" -eq "$text_status" ]
	python3 -c '
import json, sys
d = json.loads(sys.argv[1])
s = d["summary"]
for x in d["differences"]:
    assert {"abi", "nr", "name", "kind", "a", "b"} <= set(x), x
    assert x["kind"] in ("allowed", "refused", "changed", "no-syscall"), x
    assert x["a"] != x["b"], x
assert s["same"] == (not d["differences"]), d
assert s["same"] == (sys.argv[3] == "0"), (s, sys.argv[3])
if not s["same"]:
    want = "+%d allowed, -%d, %d changed" % (s["allowed"], s["refused"], s["changed"])
    assert sys.argv[2] == want, (sys.argv[2], want)
    per = {k: len({(x["abi"], x["nr"]) for x in d["differences"] if x["kind"] == k})
           for k in ("allowed", "refused", "changed")}
    assert per == {k: s[k] for k in per}, (per, s)
' "$output" "$text_last" "$text_status"
}

@test "diff -o json parses and its summary counts are the text's" {
	diff_json_matches_text "$C/base.json" "$C/base.json"
	diff_json_matches_text "$C/base.json" "$C/base-plus-getpid.json"
	diff_json_matches_text "$C/base-plus-getpid.json" "$C/base.json"
	diff_json_matches_text "$C/base.json" "$C/base-errno.json"
	diff_json_matches_text "$C/base.json" "$C/base-args.json"
	diff_json_matches_text "$DATA/allowlist.yaml" "$DATA/mkdir-deny.json"
	run "$SYSFENCE" diff -o json "$C/base.json" "$C/base-args.json"
	python3 -c '
import json, sys
d = json.loads(sys.argv[1])
got = sorted((x["args"][0], x["a"], x["b"]) for x in d["differences"] if x["name"] == "personality")
assert got == [(0, "ALLOW", "ERRNO(1)"), (8, "ERRNO(1)", "ALLOW")], got
' "$output"
}

@test "diff errors exit 2" {
	run "$SYSFENCE" diff "$C/base.json"
	[ "$status" -eq 2 ]
	run "$SYSFENCE" diff "$C/base.json" "$TMP/missing.json"
	[ "$status" -eq 2 ]
	run "$SYSFENCE" diff "$C/base.json" "$DATA/typos.json"
	[ "$status" -eq 2 ]
	[[ "$output" == *"typos.json:11:14"* ]]
	run "$SYSFENCE" diff --bogus "$C/base.json" "$C/base.json"
	[ "$status" -eq 2 ]
}

@test "diff of Docker's default profile and moby's latest reports the differences" {
	[ -d "$SHARED/corpus/profiles" ] || skip "shared corpus not found at $SHARED"
	a=$SHARED/corpus/profiles/docker-default.json
	b=$SHARED/corpus/profiles/docker-default-moby-moby-last.json
	run "$SYSFENCE" diff "$a" "$b"
	[ "$status" -eq 1 ]
	[[ "$output" == *socket* ]]
	[[ "${lines[-1]}" =~ ^\+[0-9]+\ allowed,\ -[0-9]+,\ [0-9]+\ changed$ ]]
	[ "${lines[-1]}" != "+0 allowed, -0, 0 changed" ]
	diff_json_matches_text "$a" "$b"
	# the other way round, the counts swap
	run "$SYSFENCE" diff -o json "$a" "$b"
	ab=$output
	run "$SYSFENCE" diff -o json "$b" "$a"
	python3 -c '
import json, sys
x, y = (json.loads(a)["summary"] for a in sys.argv[1:3])
assert (x["allowed"], x["refused"], x["changed"]) == (y["refused"], y["allowed"], y["changed"]), (x, y)
' "$ab" "$output"
}

@test "compile -o writes devices and FIFOs in place, never renames over them" {
	run "$SYSFENCE" compile -o /dev/null "$DATA/mkdir-deny.json"
	[ "$status" -eq 0 ]
	[ -c /dev/null ]
	mkfifo "$TMP/fifo"
	( cat "$TMP/fifo" > "$TMP/fromfifo" ) &
	run "$SYSFENCE" compile -o "$TMP/fifo" "$DATA/mkdir-deny.json"
	[ "$status" -eq 0 ]
	wait
	[ -p "$TMP/fifo" ]
	[ $(( $(stat -c %s "$TMP/fromfifo") % 8 )) -eq 0 ]
	[ "$(stat -c %s "$TMP/fromfifo")" -gt 0 ]
}

@test "--frequency puts frequent syscalls on shorter paths, same meaning" {
	printf 'getppid 1000000\nread 100\n' >"$TMP/freq.txt"
	"$SYSFENCE" compile -o "$TMP/plain.bpf" "$DATA/allowlist.yaml"
	"$SYSFENCE" compile --frequency "$TMP/freq.txt" -o "$TMP/freq.bpf" "$DATA/allowlist.yaml"
	plain=$("$SYSFENCE" emulate "$TMP/plain.bpf" --syscall getppid | sed 's/.*(\([0-9]*\) instructions)/\1/')
	freq=$("$SYSFENCE" emulate "$TMP/freq.bpf" --syscall getppid | sed 's/.*(\([0-9]*\) instructions)/\1/')
	[ "$freq" -lt "$plain" ]
	# the same meaning for every syscall of the ABI
	diff <("$SYSFENCE" emulate "$TMP/plain.bpf" --all | awk '{print $1, $2, $3}') \
		<("$SYSFENCE" emulate "$TMP/freq.bpf" --all | awk '{print $1, $2, $3}')
	# strace -c's table is read too
	printf '%% time     seconds  usecs/call     calls    errors syscall\n------ ----------- ----------- --------- --------- ----------------\n 99.00    0.100000           0    500000           getppid\n' >"$TMP/strace.txt"
	run "$SYSFENCE" compile --frequency "$TMP/strace.txt" -o "$TMP/s.bpf" "$DATA/allowlist.yaml"
	[ "$status" -eq 0 ]
	run "$SYSFENCE" compile --frequency /nonexistent -o "$TMP/s.bpf" "$DATA/allowlist.yaml"
	[ "$status" -eq 2 ]
}
