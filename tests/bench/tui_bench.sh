#!/bin/bash
# tui_bench.sh: how fast the TUI is on a 100 000-message mailbox (issue 5, item 12). Not a
# test: it prints figures and compares them with the goals (first screen under 100 ms, one
# page down under 10 ms, memory under 64 MB). Run it with `make bench-tui`, or:
#
#     top_srcdir=. top_builddir=BUILD MAILBENCH=BUILD/mailbench tests/bench/tui_bench.sh
#
# BENCH_MESSAGES (100000) and BENCH_CACHE (a cache to reuse) change the set-up.
# mailbench writes its own timings when MAILBENCH_UI_TIMING names a file: "first_screen"
# from entering the TUI (before the config and the cache are opened) to the first complete
# screen on the terminal, and one line per key from reading it to the screen updated. The
# time seen from outside (tmux started -> the list on screen) is printed too.
set -u
: "${top_srcdir:?}" "${top_builddir:?}" "${MAILBENCH:?}"
n=${BENCH_MESSAGES:-100000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mb-bench-XXXXXX")
sock=mbbench-$$
tm() { tmux -L "$sock" -f /dev/null "$@"; }
trap 'tm kill-server 2>/dev/null; rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock"; rm -rf "$tmp"' EXIT
export HOME=$tmp XDG_CONFIG_HOME=$tmp/config XDG_DATA_HOME=$tmp/data XDG_STATE_HOME=$tmp/state
export LANG=C.UTF-8 LC_ALL=C.UTF-8 MAILBENCH_LAB_DIR=$tmp/nolab MAILBENCH_LAB_BASE=29400
cache=${BENCH_CACHE:-$tmp/cache.db}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# wait_for REGEX: poll the pane (at most 30 s)
wait_for()
{
	local i
	for ((i = 0; i < 3000; i++)); do
		tm capture-pane -p -t b 2>/dev/null | grep -Eq -- "$1" && return 0
		sleep 0.01
	done
	echo "tui_bench: timed out waiting for /$1/" >&2
	return 1
}

if [ ! -s "$cache" ]; then
	t0=$(now_ms)
	"$top_builddir/tests/tui/tui_seed" "$cache" lab --synthetic "$n" >/dev/null || exit 1
	echo "cache: $n messages written in $(($(now_ms) - t0)) ms ($(du -m "$cache" | cut -f1) MB)"
fi

# run NAME: one start, 20 pages down, G, g, quit; timings in $tmp/NAME.timing
run()
{
	local name=$1 i t0 t1 row
	rm -f "$tmp/$name.timing"
	tm kill-server 2>/dev/null
	t0=$(now_ms)
	tm start-server \; set -g status off \; new-session -d -s b -x 80 -y 24 \
		"MAILBENCH_UI_TIMING=$tmp/$name.timing TERM=tmux-256color '$MAILBENCH' --cache '$cache'"
	wait_for 'Synthetic message 000020' || return 1
	t1=$(now_ms)
	echo "$((t1 - t0))" >"$tmp/$name.outside"
	for ((i = 1; i <= 20; i++)); do
		tm send-keys -t b PageDown
		row=$(printf '%06d' $((i * 21 + 20)))
		wait_for "Synthetic message $row" || return 1
	done
	tm send-keys -t b G
	wait_for "Synthetic message $(printf '%06d' $((n - 1)))" || return 1
	tm send-keys -t b g
	wait_for 'Synthetic message 000000' || return 1
	tm send-keys -t b q
	for ((i = 0; i < 500; i++)); do
		tm has-session -t b 2>/dev/null || break
		sleep 0.01
	done
}

run cold || exit 1
run warm || exit 1

t=$tmp/warm.timing
first=$(awk '$1 == "first_screen" { print $2 }' "$t")
first_cold=$(awk '$1 == "first_screen" { print $2 }' "$tmp/cold.timing")
pg=$(awk '$1 == "PgDn" { print $2 }' "$t" | sort -n)
pg_med=$(echo "$pg" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
pg_max=$(echo "$pg" | tail -n 1)
g_end=$(awk '$1 == "G" { print $2 }' "$t")
g_top=$(awk '$1 == "g" { print $2 }' "$t")
rss=$(awk '{ r = $5 } END { print r }' "$t")
rss_cold=$(awk '{ r = $5 } END { print r }' "$tmp/cold.timing")

verdict() { awk -v v="$1" -v g="$2" 'BEGIN { print (v < g) ? "ok" : "OVER THE GOAL" }'; }

echo "mailbench TUI benchmark: $n messages in one mailbox, an 80x24 terminal"
printf '  first screen, in mailbench:   %8.1f ms (cold %s ms)   goal < 100 ms  %s\n' \
	"$first" "$first_cold" "$(verdict "$first" 100)"
printf '  first screen, seen from tmux: %8d ms (cold %d ms; includes tmux and polling)\n' \
	"$(cat "$tmp/warm.outside")" "$(cat "$tmp/cold.outside")"
printf '  page down (20 pages):         %8.2f ms median, %.2f ms max   goal < 10 ms  %s\n' \
	"$pg_med" "$pg_max" "$(verdict "$pg_max" 10)"
printf '  G (last page), g (first):     %8.2f ms, %.2f ms\n' "$g_end" "$g_top"
printf '  peak memory (max RSS):        %8.1f MB (cold %.1f MB)   goal < 64 MB  %s\n' \
	"$(echo "$rss" | awk '{ print $1 / 1024 }')" "$(echo "$rss_cold" | awk '{ print $1 / 1024 }')" \
	"$(verdict "$(echo "$rss" | awk '{ print $1 / 1024 }')" 64)"
