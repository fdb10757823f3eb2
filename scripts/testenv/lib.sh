# shellcheck shell=bash
# Shared helpers for scripts/test and the scripts/testenv/*.sh server starters.
#
# This file is sourced, never executed. It keeps the bookkeeping that lets the
# harness stop exactly what it started: every server process is registered in
# TESTENV_PIDS by pid, and cleanup kills only those pids.

# TESTENV_PIDS lists, in start order, the pids of every process we started.
TESTENV_PIDS=()
# TESTENV_PORTS remembers ports already handed out in this run, so two servers
# never get the same port even before either of them listens.
TESTENV_PORTS=()
# TESTENV_STATUS collects one human-readable line per server for the summary
# printed before the tests run.
TESTENV_STATUS=()
# TESTENV_FAILED counts servers that were wanted but did not start.
TESTENV_FAILED=0

log() { printf 'testenv: %s\n' "$*" >&2; }
warn() { printf 'testenv: WARNING: %s\n' "$*" >&2; }
die() {
	printf 'testenv: ERROR: %s\n' "$*" >&2
	exit 1
}

# is_ci is true when the caller asked for strict CI behaviour: a server that
# cannot start is a failure instead of a skipped test suite.
is_ci() { [[ "${CI:-}" == "true" || "${CI:-}" == "1" ]]; }

# now prints a monotonic-enough timestamp with sub-second precision, used only
# for the startup timings we print.
now() { printf '%s' "${EPOCHREALTIME:-$(date +%s.%N)}"; }

# elapsed START prints seconds since START with one decimal.
elapsed() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.1fs", e - s }'; }

# port_in_use PORT is true when something listens on 127.0.0.1:PORT (TCP).
port_in_use() {
	local out
	out="$(ss -Htln "( sport = :$1 )" 2>/dev/null)" || return 1
	[[ -n "$out" ]]
}

# free_port [OFFSET] sets FREE_PORT to a TCP port that is free now and was
# not handed out before in this run. With OFFSET, port+OFFSET must be free
# too (Redis Cluster's bus listens on port+10000). Ports come from
# 20000-29999, so port+10000 stays below 40000, and are random, so parallel
# runs in the host namespace rarely race for the same port. It sets a
# variable instead of printing: $(free_port) would run in a subshell and
# forget the port it handed out.
free_port() {
	local offset="${1:-0}" p tries=0 used
	while ((tries < 500)); do
		tries=$((tries + 1))
		p=$((20000 + RANDOM % 10000))
		for used in "${TESTENV_PORTS[@]}"; do
			if ((used == p || used == p + offset || used + offset == p)); then
				continue 2
			fi
		done
		port_in_use "$p" && continue
		if ((offset > 0)) && port_in_use "$((p + offset))"; then
			continue
		fi
		TESTENV_PORTS+=("$p")
		((offset > 0)) && TESTENV_PORTS+=("$((p + offset))")
		# shellcheck disable=SC2034 # read by the callers
		FREE_PORT=$p
		return 0
	done
	return 1
}

# track PID registers a process we started so cleanup stops it.
track() { TESTENV_PIDS+=("$1"); }

# alive PID is true while the process exists and is not a zombie.
# It reads /proc directly because procps (ps, pgrep) is not on a minimal
# Debian, and kill -0 also succeeds for zombies.
alive() {
	local stat
	stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
	# The state letter follows the ") " that closes the command name.
	stat="${stat##*) }"
	[[ -n "$stat" && "${stat:0:1}" != Z ]]
}

# wait_for SECONDS PID DESCRIPTION CMD... polls CMD (quietly) every 0.1 s until
# it succeeds. It fails early when PID died, so a crashing server is reported
# at once instead of after the whole timeout.
wait_for() {
	local timeout="$1" pid="$2" what="$3"
	shift 3
	local deadline
	deadline="$(awk -v t="$(now)" -v d="$timeout" 'BEGIN { printf "%.3f", t + d }')"
	while true; do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		if ! alive "$pid"; then
			warn "$what: process $pid exited before it answered"
			return 1
		fi
		if awk -v t="$(now)" -v d="$deadline" 'BEGIN { exit !(t > d) }'; then
			warn "$what: no answer after ${timeout}s"
			return 1
		fi
		sleep 0.1
	done
}

# stop_pids stops every tracked process, newest first (so dependants go
# before what they depend on): SIGTERM, then SIGKILL for whatever is still
# alive after a grace period. Only pids we recorded are ever signalled.
stop_pids() {
	local i pid waited
	for ((i = ${#TESTENV_PIDS[@]} - 1; i >= 0; i--)); do
		pid="${TESTENV_PIDS[i]}"
		if alive "$pid"; then
			kill -TERM "$pid" 2>/dev/null || true
		fi
	done
	for pid in "${TESTENV_PIDS[@]}"; do
		waited=0
		while alive "$pid" && ((waited < 50)); do
			sleep 0.1
			waited=$((waited + 1))
		done
		if alive "$pid"; then
			warn "process $pid ignored SIGTERM for 5s; sending SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
		fi
		# Reap our own children so no zombie outlives the harness.
		wait "$pid" 2>/dev/null || true
	done
	TESTENV_PIDS=()
}

# server_ok NAME DETAILS START records a started server for the summary.
server_ok() {
	TESTENV_STATUS+=("$(printf '%-14s running  %s (startup %s)' "$1" "$2" "$(elapsed "$3")")")
}

# server_failed NAME REASON records a server that did not start. Its
# environment variable stays unset, so its tests skip (or, under CI, the
# harness fails before running the tests).
server_failed() {
	TESTENV_STATUS+=("$(printf '%-14s MISSING  %s' "$1" "$2")")
	TESTENV_FAILED=$((TESTENV_FAILED + 1))
	warn "$1 did not start: $2"
}

# show_log FILE prints the tail of a server log after a failure, so CI output
# says why without anyone having to reproduce it.
show_log() {
	[[ -s "$1" ]] || return 0
	log "last lines of $1:"
	tail -n 20 "$1" | sed 's/^/    /' >&2
}
