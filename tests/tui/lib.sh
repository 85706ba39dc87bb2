# shellcheck shell=bash
# lib.sh: sourced by the TUI tests (after tests/lab/fixture.sh when a test needs the lab):
# mailbench runs in a private tmux server (-L mbtest-PID, -f /dev/null) at a fixed size, with
# a private home, config, cache and state; the test sends keys and waits (bounded) for text
# in the captured pane. Every captured screen is kept under
# $top_builddir/tests/artifacts/tui/TESTNAME/.
#
#     . "$top_srcdir/tests/tui/lib.sh"
#     tui_seed lab some.eml                 # messages into the cache (no fetch needed)
#     tui_start 80 24                       # mailbench in an 80x24 pane
#     tui_wait 'Accounts' && tap_ok 0 "first screen"
#     tui_keys q; tui_wait_exit; tap_is "$TUI_EXIT" 0 "q quits with 0"
#     tap_done

: "${top_srcdir:?}" "${top_builddir:?}" "${MAILBENCH:?}"

TUI_NAME=$(basename "$0" .sh)
TUI_SOCK=mbtest-$$
TUI_TMP=$(mktemp -d "${TMPDIR:-/tmp}/mb-tui-XXXXXX")
TUI_ART=$top_builddir/tests/artifacts/tui/$TUI_NAME
TUI_CACHE=$TUI_TMP/cache.db
TUI_SEED=$top_builddir/tests/tui/tui_seed
TUI_EXIT=
mkdir -p "$TUI_ART" "$TUI_TMP/home" "$TUI_TMP/config" "$TUI_TMP/data" "$TUI_TMP/state"
rm -f "$TUI_ART"/*.txt "$TUI_ART"/*.ansi

export HOME=$TUI_TMP/home XDG_CONFIG_HOME=$TUI_TMP/config XDG_DATA_HOME=$TUI_TMP/data
export XDG_STATE_HOME=$TUI_TMP/state LANG=C.UTF-8 LC_ALL=C.UTF-8
unset NO_COLOR MAILBENCH_UI_TIMING

# TAP helpers, unless the lab fixture gave them already
if ! declare -F tap_ok >/dev/null; then
	tap_n=0
	tap_failed=0
	tap_ok()
	{
		local status=$1
		shift
		tap_n=$((tap_n + 1))
		if [ "$status" = 0 ]; then
			echo "ok $tap_n - $*"
			return 0
		fi
		tap_failed=$((tap_failed + 1))
		echo "not ok $tap_n - $*"
		return 1
	}
	tap_diag() { echo "# $*"; }
	tap_is()
	{
		if [ "$1" = "$2" ]; then
			tap_ok 0 "$3"
			return 0
		fi
		tap_ok 1 "$3"
		tap_diag "got:  '$1'"
		tap_diag "want: '$2'"
		return 1
	}
	tap_like()
	{
		if printf '%s\n' "$1" | grep -Eq -- "$2"; then
			tap_ok 0 "$3"
			return 0
		fi
		tap_ok 1 "$3"
		tap_diag "got:  '$1'"
		tap_diag "want match for: /$2/"
		return 1
	}
	tap_unlike()
	{
		if printf '%s\n' "$1" | grep -Eq -- "$2"; then
			tap_ok 1 "$3"
			tap_diag "got:  '$1'"
			tap_diag "want no match for: /$2/"
			return 1
		fi
		tap_ok 0 "$3"
		return 0
	}
	tap_bail()
	{
		echo "Bail out! $*"
		exit 1
	}
	tap_done()
	{
		echo "1..$tap_n"
		[ "$tap_failed" = 0 ]
		exit $?
	}
fi

tui_tmux() { tmux -L "$TUI_SOCK" -f /dev/null "$@"; }

tui_cleanup()
{
	tui_tmux kill-server 2>/dev/null
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$TUI_SOCK"
	[ "${MB_KEEP_TEST_FILES:-0}" = 1 ] || rm -rf "$TUI_TMP"
}
trap tui_cleanup EXIT

command -v tmux >/dev/null || tap_bail "tmux is not installed (apt-get install tmux)"
[ -x "$TUI_SEED" ] || tap_bail "$TUI_SEED is not built (make check builds it)"

# tui_seed ACCOUNT [tui_seed options and .eml files]: messages into this test's cache
tui_seed()
{
	"$TUI_SEED" "$TUI_CACHE" "$@" >&2
}

# tui_start COLS ROWS [mailbench arguments]: mailbench in a new pane; environment variables
# for it go in TUI_ENV ("TERM=vt100 NO_COLOR=1"); TERM defaults to tmux-256color
tui_start()
{
	local cols=$1 rows=$2 a q=
	shift 2
	for a in "$@"; do
		q="$q $(printf '%q' "$a")"
	done
	tui_stop_server
	cat >"$TUI_TMP/run.sh" <<EOF
export TERM=tmux-256color ${TUI_ENV:-}
stty -g >'$TUI_TMP/stty.before' 2>/dev/null
'$MAILBENCH' --cache '$TUI_CACHE'$q
echo \$? >'$TUI_TMP/exit'
stty -g >'$TUI_TMP/stty.after' 2>/dev/null
printf '\\033[H'; echo "EXIT=\$(cat '$TUI_TMP/exit')"
EOF
	rm -f "$TUI_TMP/exit"
	# a new session can land on a server that is still going away: try again then
	for a in 1 2 3; do
		tui_tmux start-server \; set -g status off \; set -g remain-on-exit on \
			\; set -g history-limit 0 \; set -g set-clipboard on \
			\; new-session -d -s t -x "$cols" -y "$rows" "bash $TUI_TMP/run.sh" &&
			sleep 0.1 && tui_tmux has-session -t t 2>/dev/null && return 0
		tui_stop_server
	done
	echo "# tmux would not start a session" >&2
	return 1
}

# tui_stop_server: kill the tmux server and wait until it is gone (kill-server only asks)
tui_stop_server()
{
	local i
	tui_tmux kill-server 2>/dev/null || return 0
	for i in $(seq 50); do
		tui_tmux list-sessions >/dev/null 2>&1 || return 0
		sleep 0.1
	done
}

# tui_keys KEY...: send keys (tmux names: Enter, Escape, PageDown, C-c, ...)
tui_keys() { tui_tmux send-keys -t t "$@"; }

# tui_type TEXT: send text literally
tui_type() { tui_tmux send-keys -t t -l "$1"; }

# tui_screen: the pane as text now
tui_screen() { tui_tmux capture-pane -p -t t; }

# tui_wait REGEX [SECONDS]: wait (10 s by default) until the pane matches REGEX (grep -E)
# and is still (the same on two captures 50 ms apart: a screen caught halfway through its
# update is not taken); the screen is left in $TUI_LAST
tui_wait()
{
	local re=$1 limit=${2:-10} i prev=
	for ((i = 0; i < limit * 20; i++)); do
		TUI_LAST=$(tui_screen)
		if printf '%s\n' "$TUI_LAST" | grep -Eq -- "$re"; then
			[ "$TUI_LAST" = "$prev" ] && return 0
			prev=$TUI_LAST
		else
			prev=
		fi
		sleep 0.05
	done
	tap_diag "timed out waiting for /$re/; the screen was:"
	printf '%s\n' "$TUI_LAST" | sed 's/^/#   |/'
	return 1
}

# tui_wait_gone REGEX [SECONDS]: wait until the pane no longer matches REGEX (and is still)
tui_wait_gone()
{
	local re=$1 limit=${2:-10} i prev=
	for ((i = 0; i < limit * 20; i++)); do
		TUI_LAST=$(tui_screen)
		if ! printf '%s\n' "$TUI_LAST" | grep -Eq -- "$re"; then
			[ "$TUI_LAST" = "$prev" ] && return 0
			prev=$TUI_LAST
		else
			prev=
		fi
		sleep 0.05
	done
	tap_diag "timed out waiting for /$re/ to go; the screen was:"
	printf '%s\n' "$TUI_LAST" | sed 's/^/#   |/'
	return 1
}

# tui_snap NAME: keep the screen (text, and with attributes as .ansi) as an artefact
tui_snap()
{
	tui_screen >"$TUI_ART/$1.txt"
	tui_tmux capture-pane -p -e -t t >"$TUI_ART/$1.ansi"
}

# tui_line N: line N (1-based) of the screen
tui_line() { tui_screen | sed -n "${1}p"; }

# tui_wait_exit [SECONDS]: wait until mailbench ended; its exit code in $TUI_EXIT
tui_wait_exit()
{
	local limit=${1:-10} i
	for ((i = 0; i < limit * 20; i++)); do
		if [ -s "$TUI_TMP/exit" ]; then
			TUI_EXIT=$(cat "$TUI_TMP/exit")
			return 0
		fi
		sleep 0.05
	done
	TUI_EXIT=timeout
	return 1
}
