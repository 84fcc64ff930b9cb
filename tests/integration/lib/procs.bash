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

# crun_start PATTERN CRUN_RUN_ARGS...: crun_run CRUN_RUN_ARGS in the background (in BG), wait up
# to 10 s for the container's process, the one whose whole command line matches PATTERN
# (pgrep -x -f), and set pid to it (in PIDS: killed at teardown). Needs lib/crun.
crun_start() {
	local pattern=$1 i
	shift
	crun_run "$@" </dev/null >/dev/null 2>&1 3>&- &
	BG+=("$!")
	pid=
	for i in $(seq 100); do
		pid=$(pgrep -x -f "$pattern") && break
		sleep 0.1
	done
	[ -n "$pid" ] || return 1
	PIDS+=("$pid")
}

# crun_docker_sleep DIR: start a busybox `sleep` in a crun container under Docker's default
# profile (the corpus copy, or @runtime-default written to DIR), set pid to the sleep's pid
# (killed at teardown) and profile to the profile's file. Needs lib/crun, SYSFENCE and SHARED.
crun_docker_sleep() {
	local marker=59.$RANDOM
	profile=$SHARED/corpus/profiles/docker-default.json
	if [ ! -f "$profile" ]; then
		profile=$1/docker-default.json
		"$SYSFENCE" show @runtime-default -o json >"$profile"
	fi
	crun_start "sleep $marker" "$profile" -- sleep "$marker"
}
