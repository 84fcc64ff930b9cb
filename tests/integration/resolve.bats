#!/usr/bin/env bats
# sysfence resolve: names <-> numbers on every architecture, --list, -o json, and the errors.

SYSFENCE=${SYSFENCE:-$BATS_TEST_DIRNAME/../../build/sysfence}

json_ok() {
	python3 -c 'import json,sys; json.load(sys.stdin)'
}

@test "a name prints the kernel's number" {
	run "$SYSFENCE" resolve --arch x86_64 read openat
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 257 ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "a number prints the name" {
	run "$SYSFENCE" resolve --arch x86_64 0 257 0x3c
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'read\nopenat\nexit')" ]
}

@test "names and numbers mix, one line each, in order" {
	run "$SYSFENCE" resolve -a aarch64 openat 63 execve
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '56\nread\n221')" ]
}

@test "every spelling of an architecture works, in any case" {
	for a in x86_64 X86_64 SCMP_ARCH_X86_64 scmp_arch_x86_64 amd64; do
		run "$SYSFENCE" resolve --arch "$a" execve
		[ "$status" -eq 0 ]
		[ "$output" = 59 ]
	done
	for a in x86 386 i686 SCMP_ARCH_X86; do
		run "$SYSFENCE" resolve --arch "$a" execve
		[ "$status" -eq 0 ]
		[ "$output" = 11 ]
	done
	run "$SYSFENCE" resolve --arch arm64 execve
	[ "$output" = 221 ]
}

@test "numbers are what the kernel sees: x32 bit, MIPS bases" {
	run "$SYSFENCE" resolve -a x32 read
	[ "$output" = 1073741824 ]
	run "$SYSFENCE" resolve -a mips read
	[ "$output" = 4003 ]
	run "$SYSFENCE" resolve -a mipsel64 read
	[ "$output" = 5000 ]
	run "$SYSFENCE" resolve -a SCMP_ARCH_MIPSEL64N32 read
	[ "$output" = 6000 ]
	run "$SYSFENCE" resolve -a mips 4003 0xfa3
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'read\nread')" ]
}

@test "the default architecture is this machine's" {
	case "$(uname -m)" in
	x86_64) want=0 ;;
	aarch64) want=63 ;;
	*) skip "no expectation for $(uname -m)" ;;
	esac
	run "$SYSFENCE" resolve read
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
}

@test "an unknown name fails with a suggestion" {
	run "$SYSFENCE" resolve mkdirr
	[ "$status" -eq 1 ]
	[ "$output" = "sysfence resolve: unknown syscall 'mkdirr' (did you mean 'mkdir'?)" ]
	run "$SYSFENCE" resolve definitelynotasyscall
	[ "$status" -eq 1 ]
	[ "$output" = "sysfence resolve: unknown syscall 'definitelynotasyscall'" ]
}

@test "a name missing on the arch names the arches that have it" {
	run "$SYSFENCE" resolve --arch x86_64 mmap2
	[ "$status" -eq 1 ]
	[[ "$output" == *"mmap2 is not a syscall on x86_64"* ]]
	[[ "$output" == *"x86, arm"* ]]
}

@test "a multiplexed call missing on the arch names its multiplexer" {
	run "$SYSFENCE" resolve --arch x86 semop
	[ "$status" -eq 1 ]
	[[ "$output" == *"through ipc (117) as call 1"* ]]
	[[ "$output" == *"x86_64"* ]]
}

@test "an unknown number fails; a table offset is pointed at the kernel's number" {
	run "$SYSFENCE" resolve --arch x86_64 99999
	[ "$status" -eq 1 ]
	[[ "$output" == *"no syscall 99999 on x86_64"* ]]
	run "$SYSFENCE" resolve --arch mips 3
	[ "$status" -eq 1 ]
	[[ "$output" == *"4003 is read"* ]]
}

@test "one bad argument fails the run but the good ones still print" {
	status=0
	out=$("$SYSFENCE" resolve --arch x86_64 read mkdirr write 2>"$BATS_TEST_TMPDIR/err") ||
		status=$?
	[ "$status" -eq 1 ]
	[ "$out" = "$(printf '0\n1')" ]
	[ "$(cat "$BATS_TEST_TMPDIR/err")" = \
		"sysfence resolve: unknown syscall 'mkdirr' (did you mean 'mkdir'?)" ]
}

@test "an unknown architecture is a usage error listing the accepted spellings" {
	run "$SYSFENCE" resolve --arch vax read
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown architecture 'vax'"* ]]
	[[ "$output" == *"SCMP_ARCH_X86_64"* ]]
	[[ "$output" == *"amd64"* ]]
	[[ "$output" == *"mipsel64n32"* ]]
}

@test "usage errors exit 2" {
	run "$SYSFENCE" resolve
	[ "$status" -eq 2 ]
	run "$SYSFENCE" resolve --list read
	[ "$status" -eq 2 ]
	run "$SYSFENCE" resolve -o yaml read
	[ "$status" -eq 2 ]
	run "$SYSFENCE" resolve --bogus
	[ "$status" -eq 2 ]
}

@test "--help prints the usage and exits 0" {
	run "$SYSFENCE" resolve --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "usage: sysfence resolve"* ]]
	[[ "$output" == *"--list"* ]]
	[[ "$output" == *"--arch"* ]]
}

@test "--list prints the whole table sorted by number" {
	run "$SYSFENCE" resolve --arch x86_64 --list
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "0 read" ]
	[ "${lines[1]}" = "1 write" ]
	# sorted numerically, no duplicates
	sorted=$("$SYSFENCE" resolve --arch x86_64 --list | sort -n -k1,1 -u)
	[ "$sorted" = "$output" ]
}

@test "--list has one line per name the arch has, on every arch" {
	for a in x86 x86_64 x32 arm aarch64 loongarch64 m68k mips mipsel mips64 mipsel64 \
		mips64n32 mipsel64n32 parisc parisc64 ppc ppc64 ppc64le riscv64 s390 s390x sh sheb; do
		run "$SYSFENCE" resolve --arch "$a" --list
		[ "$status" -eq 0 ]
		n=${#lines[@]}
		[ "$n" -gt 300 ]
		# every listed name resolves back to its number
		names=$(printf '%s\n' "${lines[@]}" | awk '{print $2}')
		nums=$(printf '%s\n' "${lines[@]}" | awk '{print $1}')
		run "$SYSFENCE" resolve --arch "$a" $names
		[ "$status" -eq 0 ]
		[ "$output" = "$nums" ]
	done
}

@test "x32 --list counts match the table (numbers carry the x32 bit)" {
	run "$SYSFENCE" resolve --arch x32 --list
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "1073741824 read" ]
	[[ "${lines[-1]}" == "1073742371 "* ]]
}

@test "-o json is valid JSON with stable keys" {
	run "$SYSFENCE" resolve -o json --arch x86_64 read 1
	[ "$status" -eq 0 ]
	[ "$output" = '{"arch":"x86_64","syscalls":[{"name":"read","nr":0},{"name":"write","nr":1}]}' ]
	"$SYSFENCE" resolve -o json --arch x86_64 read 1 | json_ok
}

@test "-o json --list parses and matches the text list" {
	for a in x86_64 i386 arm64 mips64n32 s390x; do
		"$SYSFENCE" resolve -o json --arch "$a" --list | json_ok
		text=$("$SYSFENCE" resolve --arch "$a" --list)
		fromjson=$("$SYSFENCE" resolve -o json --arch "$a" --list |
			python3 -c 'import json,sys
d = json.load(sys.stdin)
print("\n".join("%d %s" % (s["nr"], s["name"]) for s in d["syscalls"]))')
		[ "$text" = "$fromjson" ]
	done
}

@test "-o json names the arch by its libseccomp name whatever the spelling" {
	run "$SYSFENCE" resolve -o json --arch SCMP_ARCH_AARCH64 read
	[ "$status" -eq 0 ]
	[[ "$output" == '{"arch":"aarch64",'* ]]
}

@test "-o json with a failing argument still prints valid JSON and exits 1" {
	status=0
	out=$("$SYSFENCE" resolve -o json --arch x86_64 read mkdirr 2>/dev/null) || status=$?
	[ "$status" -eq 1 ]
	printf '%s' "$out" | json_ok
}

@test "--output writes a file" {
	f="$BATS_TEST_TMPDIR/list.txt"
	run "$SYSFENCE" resolve --arch x86_64 --list --output "$f"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(head -1 "$f")" = "0 read" ]
}
