# Helpers for tests that start long-running processes and look at them: load lib/procs.
# Tests append what they start to PIDS (killed at teardown) and BG (waited for).

procs_setup() {
	PIDS=()
	BG=()
}

procs_teardown() {
	local p
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	for p in "${BG[@]}"; do wait "$p" 2>/dev/null || true; done
}

need_root() {
	[ "$(id -u)" = 0 ] || skip "needs root"
}

need_x86_64() {
	[ "$(uname -m)" = x86_64 ] || skip "expectations are for x86_64"
}

# wait_exec PID COMM: until process PID runs COMM (it was started through a wrapper)
wait_exec() {
	local i
	for i in $(seq 100); do
		[ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.05
	done
	echo "process $1 never ran $2" >&2
	return 1
}
