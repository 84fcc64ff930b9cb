# Helpers of the record tests (record, record-ptrace, record-more): load lib/record.

# record_build_programs NAME: compile the small C programs of tests/data/record once per run
# into $BATS_RUN_TMPDIR/NAME (exported as RBIN); hello32 only where gcc -m32 works.
record_build_programs() {
	export RBIN=$BATS_RUN_TMPDIR/$1
	mkdir -p "$RBIN"
	if [ "$(uname -m)" = x86_64 ] && command -v gcc >/dev/null; then
		gcc -O2 -Wall -o "$RBIN/daemon" "$BATS_TEST_DIRNAME/../data/record/daemon.c" || return 1
		gcc -O2 -Wall -m32 -static -o "$RBIN/hello32" \
			"$BATS_TEST_DIRNAME/../data/record/hello32.c" 2>/dev/null || rm -f "$RBIN/hello32"
	fi
}

# Each test in a fresh directory, without core files.
record_setup() {
	SYSFENCE=${SYSFENCE:-$BATS_TEST_DIRNAME/../../build/sysfence}
	RD=$BATS_TEST_DIRNAME/../data/record
	TMP=$(mktemp -d)
	cd "$TMP"
	ulimit -c 0
}

record_teardown() {
	cd /
	rm -rf "$TMP"
}

need_x86_64() {
	[ "$(uname -m)" = x86_64 ] || skip "expectations are for an x86_64 host"
	[ -z "${RBIN:-}" ] || [ -x "$RBIN/daemon" ] ||
		skip "the test programs were not compiled (gcc missing?)"
}

# names FILE: every name of the profile (JSON or YAML, bare or SPO), one a line, sorted
names() {
	python3 - "$1" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
try:
    p = json.loads(text)
except ValueError:
    import yaml
    p = yaml.safe_load(text)
p = p.get("spec", p)
print("\n".join(sorted({n for r in p.get("syscalls") or [] for n in r["names"]})))
PY
}

# record_pid_around PID TRIGGER...: `sysfence record --pid PID -o rec.json` (its standard error in
# err.txt); after 0.5 s runs TRIGGER, 0.6 s later sends the recorder SIGINT; fails unless it
# then exits 0
record_pid_around() {
	local pid=$1 rec st=0
	shift
	"$SYSFENCE" record --pid "$pid" -o rec.json 2>err.txt &
	rec=$!
	sleep 0.5
	"$@"
	sleep 0.6
	kill -INT "$rec"
	wait "$rec" || st=$?
	[ "$st" -eq 0 ]
}
