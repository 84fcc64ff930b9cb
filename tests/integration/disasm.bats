#!/usr/bin/env bats
# sysfence disasm: raw struct sock_filter arrays to text and JSON, names of fields, arches and
# syscalls, and the warning for programs the kernel would refuse.

SYSFENCE=${SYSFENCE:-$BATS_TEST_DIRNAME/../../build/sysfence}

setup() {
	TMP=$(mktemp -d)
}

teardown() {
	rm -rf "$TMP"
}

# prog FILE CODE,JT,JF,K... — writes the instructions as the kernel's struct sock_filter array,
# host byte order, as seccomp_export_bpf(3) does.
prog() {
	local out=$1
	shift
	python3 - "$@" >"$out" <<'EOF'
import struct, sys
for insn in sys.argv[1:]:
    code, jt, jf, k = (int(x, 0) for x in insn.split(","))
    sys.stdout.buffer.write(struct.pack("=HBBI", code, jt, jf, k))
EOF
}

# An x86_64 filter as libseccomp lays it out: arch check, x32 guard, syscalls, args.
x86_64_filter() {
	prog "$1" \
		0x20,0,0,4 \
		0x15,1,0,0xc000003e \
		0x06,0,0,0x80000000 \
		0x20,0,0,0 \
		0x35,0,1,0x40000000 \
		0x06,0,0,0x00000000 \
		0x15,0,1,59 \
		0x06,0,0,0x00050001 \
		0x15,0,3,1 \
		0x20,0,0,0x10 \
		0x15,0,1,2 \
		0x06,0,0,0x7fff0000 \
		0x06,0,0,0x00050026
}

@test "a filter disassembles with fields, arch and syscalls named" {
	x86_64_filter "$TMP/f.bpf"
	run "$SYSFENCE" disasm "$TMP/f.bpf"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "   0: ld [arch]" ]
	[[ "${lines[1]}" == "   1: jeq #0xc000003e, L3, L2"*"; AUDIT_ARCH_X86_64" ]]
	[[ "$output" == *"ret KILL_PROCESS"* ]]
	[[ "$output" == *"jge #0x40000000, L5, L6"*"; x32 syscalls"* ]]
	[[ "$output" == *"jeq #0x3b, L7, L8"*"; execve"* ]]
	[[ "$output" == *"jeq #0x1, L9, L12"*"; write"* ]]
	[[ "$output" == *"ld [args[0].lo]"* ]]
	[[ "$output" == *"ret ERRNO(1)"* ]]
	[[ "$output" == *"ret ALLOW"* ]]
	[[ "$output" == *$'\nL12:\n'* ]]
}

@test "standard input is read for -" {
	x86_64_filter "$TMP/f.bpf"
	run "$SYSFENCE" disasm - <"$TMP/f.bpf"
	[ "$status" -eq 0 ]
	[[ "$output" == *"; execve"* ]]
}

@test "syscalls are named for the arch checked on the path" {
	# i386 on one path, aarch64 on the other: 11 is execve on i386, 221 on aarch64.
	prog "$TMP/f.bpf" \
		0x20,0,0,4 \
		0x15,0,3,0x40000003 \
		0x20,0,0,0 \
		0x15,4,0,11 \
		0x06,0,0,0 \
		0x20,0,0,0 \
		0x15,1,0,221 \
		0x06,0,0,0 \
		0x06,0,0,0x7fff0000
	run "$SYSFENCE" disasm "$TMP/f.bpf"
	[ "$status" -eq 0 ]
	[[ "$output" == *"jeq #0x40000003, L2, L5"*"; AUDIT_ARCH_I386"* ]]
	[[ "$output" == *"jeq #0xb, L8, L4"*"; execve"* ]]
	# The false path knows no arch: 221 is named only when --arch says which.
	[[ "$output" == *$'  6: jeq #0xdd, L8, L7\n'* ]]
	run "$SYSFENCE" disasm --arch aarch64 "$TMP/f.bpf"
	[ "$status" -eq 0 ]
	[[ "$output" == *"jeq #0xdd, L8, L7"*"; execve"* ]]
}

@test "x32 numbers are named for x32" {
	prog "$TMP/f.bpf" \
		0x20,0,0,4 \
		0x15,0,3,0xc000003e \
		0x20,0,0,0 \
		0x15,1,0,0x40000208 \
		0x06,0,0,0x7fff0000 \
		0x06,0,0,0x00050001
	run "$SYSFENCE" disasm "$TMP/f.bpf"
	[ "$status" -eq 0 ]
	[[ "$output" == *"jeq #0x40000208, L5, L4"*"; execve (x32)"* ]]
}

@test "-o json gives every instruction with its fields and text" {
	x86_64_filter "$TMP/f.bpf"
	run "$SYSFENCE" disasm -o json "$TMP/f.bpf"
	[ "$status" -eq 0 ]
	echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
ins = d["instructions"]
assert len(ins) == 13, len(ins)
assert ins[0] == {"index": 0, "code": 32, "jt": 0, "jf": 0, "k": 4, "text": "ld [arch]",
                  "comment": ""}, ins[0]
assert ins[1]["text"] == "jeq #0xc000003e, L3, L2" and ins[1]["comment"] == "AUDIT_ARCH_X86_64"
assert ins[6]["comment"] == "execve"
assert ins[12]["text"] == "ret ERRNO(38)"
assert d["valid"] is True and d["error"] is None
'
}

@test "a program the kernel would refuse is printed with a warning and exit 1" {
	# ld [6] is not aligned; the last instruction is not a return.
	prog "$TMP/bad.bpf" 0x20,0,0,6 0x15,0,0,1
	run "$SYSFENCE" disasm "$TMP/bad.bpf"
	[ "$status" -eq 1 ]
	[[ "$output" == *"0: ld [0x6]"* ]]
	[[ "$output" == *"warning: the kernel would refuse this program: instruction 0: ld [0x6] is not 4-byte aligned"* ]]
	run "$SYSFENCE" disasm -o json "$TMP/bad.bpf"
	[ "$status" -eq 1 ]
	[[ "$output" == *'"valid":false'* ]]
}

@test "scratch memory read before it is written is refused" {
	prog "$TMP/bad.bpf" 0x60,0,0,3 0x16,0,0,0
	run "$SYSFENCE" disasm "$TMP/bad.bpf"
	[ "$status" -eq 1 ]
	[[ "$output" == *"0: ld M[3]"* ]]
	[[ "$output" == *"instruction 0: ld M[3] reads scratch memory that is not written"* ]]
}

@test "a file that is not a raw program is refused clearly" {
	printf 'abcdefghijk' >"$TMP/odd.bpf"
	run "$SYSFENCE" disasm "$TMP/odd.bpf"
	[ "$status" -eq 1 ]
	[[ "$output" == *"odd.bpf: error: size 11 is not a multiple of 8 bytes"* ]]
	: >"$TMP/empty.bpf"
	run "$SYSFENCE" disasm "$TMP/empty.bpf"
	[ "$status" -eq 1 ]
	[[ "$output" == *"empty"* ]]
	head -c $((4097 * 8)) /dev/zero >"$TMP/big.bpf"
	run "$SYSFENCE" disasm "$TMP/big.bpf"
	[ "$status" -eq 1 ]
	[[ "$output" == *"4097 instructions"* ]]
}

@test "usage and I/O errors exit 2" {
	run "$SYSFENCE" disasm "$TMP/missing.bpf"
	[ "$status" -eq 2 ]
	[[ "$output" == *"missing.bpf: error: cannot open"* ]]
	run "$SYSFENCE" disasm
	[ "$status" -eq 2 ]
	x86_64_filter "$TMP/f.bpf"
	run "$SYSFENCE" disasm --arch vax "$TMP/f.bpf"
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown architecture 'vax'"* ]]
	run "$SYSFENCE" disasm -o yaml "$TMP/f.bpf"
	[ "$status" -eq 2 ]
	run "$SYSFENCE" disasm "$TMP/f.bpf" "$TMP/f.bpf"
	[ "$status" -eq 2 ]
}

@test "--help describes the command" {
	run "$SYSFENCE" disasm --help
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: sysfence disasm"* ]]
}

@test "--output writes the disassembly to a file" {
	x86_64_filter "$TMP/f.bpf"
	run "$SYSFENCE" disasm --output "$TMP/f.txt" "$TMP/f.bpf"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	grep -q '; execve' "$TMP/f.txt"
}
