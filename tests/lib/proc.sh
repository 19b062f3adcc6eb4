# shellcheck shell=bash
# tests/lib/proc.sh: locks, background servers by pid, cleanup at exit (sourced by common.sh; see its header).


# mkdir-based lock on $W/.lock.NAME; a holder that died is detected.
_lf_lock() {
	local d="$W/.lock.$1" i=0 holder
	until mkdir "$d" 2>/dev/null; do
		holder=$(cat "$d/pid" 2>/dev/null) || holder=""
		if [ -n "$holder" ] && ! kill -0 "$holder" 2>/dev/null; then
			rm -rf "$d"
			continue
		fi
		i=$((i + 1))
		if [ "$i" -ge 1200 ]; then
			echo "common.sh: timeout waiting for lock $d" >&2
			return 1
		fi
		sleep 0.1
	done
	echo "${BASHPID:-$$}" >"$d/pid"
}

_lf_unlock() {
	rm -rf "$W/.lock.$1"
}

# ---------------------------------------------------------------- processes

# Start time of a process (clock ticks since boot), "" if none.
_lf_starttime() {
	local stat rest
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	rest=${stat##*) }
	# fields after "comm": 3=state ... 22=starttime -> index 19 here
	# shellcheck disable=SC2086 # split the fields on purpose
	set -- $rest
	printf '%s' "${20:-}"
}

_lf_pid_alive() {
	local stat rest
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	rest=${stat##*) }
	case $rest in Z* | X*) return 1 ;; esac
	return 0
}

# PID from a pid file, only if that very process still runs.
_lf_pidfile_pid() {
	local f=$1 pid st
	[ -f "$f" ] || return 1
	read -r pid st <"$f" || [ -n "${pid:-}" ] || return 1
	case $pid in '' | *[!0-9]*) return 1 ;; esac
	_lf_pid_alive "$pid" || return 1
	[ -z "${st:-}" ] || [ "$(_lf_starttime "$pid")" = "$st" ] || return 1
	printf '%s\n' "$pid"
}

# Stops the process of a pid file: TERM, wait up to 10 s, KILL.
_lf_stop_pidfile() {
	local f=$1 pid i
	if pid=$(_lf_pidfile_pid "$f"); then
		kill -TERM "$pid" 2>/dev/null
		for ((i = 0; i < 100; i++)); do
			_lf_pid_alive "$pid" || break
			sleep 0.1
		done
		if _lf_pid_alive "$pid"; then
			echo "common.sh: $(basename "$f" .pid) (pid $pid) ignored TERM for 10 s: KILL" >&2
			kill -KILL "$pid" 2>/dev/null
			for ((i = 0; i < 50; i++)); do
				_lf_pid_alive "$pid" || break
				sleep 0.1
			done
		fi
		wait "$pid" 2>/dev/null
	fi
	rm -f "$f"
	return 0
}

bg_pid() {
	_lf_pidfile_pid "$W/pids/$1.pid"
}

bg_alive() {
	_lf_pidfile_pid "$W/pids/$1.pid" >/dev/null
}

# bg_start NAME CMD...: CMD in the background, stdin /dev/null, stdout and
# stderr appended to $W/log/NAME.log. Stopped at this script's exit.
bg_start() {
	local name=$1 pid
	shift
	if bg_alive "$name"; then
		echo "common.sh: bg_start: $name already runs" >&2
		return 1
	fi
	"$@" </dev/null >>"$W/log/$name.log" 2>&1 &
	pid=$!
	printf '%s %s\n' "$pid" "$(_lf_starttime "$pid")" >"$W/pids/$name.pid"
	_LF_MINE+=("$name")
	return 0
}

# bg_stop NAME: stops it; a sanitizer report in its log is a failed test.
bg_stop() {
	local name=$1 n i
	_lf_stop_pidfile "$W/pids/$name.pid"
	n=${#_LF_MINE[@]}
	for ((i = 0; i < n; i++)); do
		[ "${_LF_MINE[i]:-}" = "$name" ] && unset '_LF_MINE[i]'
	done
	_LF_MINE=("${_LF_MINE[@]}")
	if _lf_has_san "$W/log/$name.log"; then
		not_ok "$name: no sanitizer report in its log" "log: $W/log/$name.log"
		grep -E -A 12 "$_LF_SAN_RE" "$W/log/$name.log" | head -n 40 | sed 's/^/#   /'
		mv "$W/log/$name.log" "$W/log/$name.log.reported"
	fi
	return 0
}

# wait_until SECONDS CMD...: polls CMD every 0.1 s.
wait_until() {
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	"$@" >/dev/null 2>&1
}

_lf_tcp_open() {
	timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on and no other
# server of this world was given.
free_port() {
	local p i
	_lf_lock ports || return 1
	for ((i = 0; i < 200; i++)); do
		# RANDOM repeats between subshells; ask the kernel instead.
		p=$(od -An -N4 -tu4 /dev/urandom) || { _lf_unlock ports; return 1; }
		p=$((20000 + ${p//[!0-9]/} % 12000))
		grep -qx "$p" "$W/ports" 2>/dev/null && continue
		_lf_tcp_open 127.0.0.1 "$p" && continue
		echo "$p" >>"$W/ports"
		_lf_unlock ports
		printf '%s\n' "$p"
		return 0
	done
	_lf_unlock ports
	echo "common.sh: no free port" >&2
	return 1
}

# ---------------------------------------------------------------- cleanup

_lf_gpg_kill_all() {
	local h
	[ -f "$W/gnupg-homes" ] || return 0
	while IFS= read -r h; do
		[ -d "$h" ] || continue
		GNUPGHOME=$h gpgconf --kill all >/dev/null 2>&1
		GNUPGHOME=$h gpgconf --remove-socketdir >/dev/null 2>&1
	done <"$W/gnupg-homes"
	return 0
}

_lf_exit() {
	local rc=$? i f failed=$_LF_FAILED
	trap - EXIT INT TERM HUP
	trap '' PIPE   # a reader gone: keep cleaning up, writes just fail
	for ((i = ${#_LF_MINE[@]} - 1; i >= 0; i--)); do
		bg_stop "${_LF_MINE[i]}"
	done
	# A sanitizer report found while stopping is a failure too.
	[ "$_LF_FAILED" -gt "$failed" ] && [ "$rc" -eq 0 ] && rc=1
	if [ "$_LF_OWN_WORLD" = 1 ]; then
		for f in "$W"/pids/*.pid; do
			[ -e "$f" ] && _lf_stop_pidfile "$f"
		done
		_lf_gpg_kill_all
		if [ "${LF_KEEP:-0}" = 1 ]; then
			echo "# world kept: $W" >&2
		else
			rm -rf "$W"
		fi
	elif [ "${LF_KEEP:-0}" != 1 ]; then
		rm -rf "$T"
	fi
	if [ "$rc" -eq 0 ] && [ "$_LF_DONE" = 0 ] && [ "$_LF_FAILED" -gt 0 ]; then
		rc=1
	fi
	exit "$rc"
}
trap _lf_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
trap 'exit 141' PIPE


# strace_run STRACE-ARGS... CMD...: strace -f -qq, its exit status CMD's
# (LeakSanitizer cannot run under ptrace and would exit 1 of its own:
# leaks are not checked in that run).
strace_run() {
	ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 strace -f -qq "$@"
}

# execs_traced TRACE CMD...: runs CMD (its exit status) with every program
# it and its children start written to TRACE by strace.
execs_traced() {
	local trace=$1
	shift
	strace_run -e trace=execve -o "$trace" "$@"
}
