#!/bin/bash
# resize.sh: from 200x60 to 80x24 and back, with the transcript pane open: every size is
# redrawn at once and completely (the pane beside the list when wide, below it when narrow,
# the status bar on the last row, nothing left over from the other size).
set -u
. "$top_srcdir/tests/tui/lib.sh"

export MAILBENCH_LAB_DIR=$TUI_TMP/nolab MAILBENCH_LAB_BASE=29400
tui_seed lab --synthetic 100 || tap_bail "cannot seed the cache"

# check COLS ROWS NAME: the screen fits the size and has its bars
check()
{
	local cols=$1 rows=$2 name=$3 longest
	tui_snap "$name"
	longest=$(wc -L <"$TUI_ART/$name.txt")
	tap_ok "$([ "$longest" -le "$cols" ] && echo 0 || echo 1)" "$name: no row wider than $cols"
	tap_is "$(wc -l <"$TUI_ART/$name.txt")" "$rows" "$name: $rows rows"
	tap_like "$(sed -n 1p "$TUI_ART/$name.txt")" '^ mailbench .*\?:help' "$name: title bar on top"
	tap_like "$(sed -n "${rows}p" "$TUI_ART/$name.txt")" '^ lab .*not connected' \
		"$name: status bar on the last row"
}

tui_start 200 60
tui_wait 'Synthetic message 000000' || tap_bail "no first screen"
tui_keys t
tui_wait 'Transcript \(live\)'
tap_ok $? "t opens the transcript pane"
tui_wait 'Synthetic message 000056'
check 200 60 wide
tap_like "$TUI_LAST" 'Size +│ Transcript \(live\)' "200x60: the transcript pane is beside the list"
tap_like "$TUI_LAST" 'Synthetic message 000056' "200x60: the list fills the height"

tui_tmux resize-window -t t -x 80 -y 24
tui_wait_gone 'Synthetic message 000030'
tap_ok $? "80x24: the list is redrawn shorter"
tui_wait '^ Transcript \(live\)'
check 80 24 narrow
tap_like "$(sed -n 2p "$TUI_ART/narrow.txt")" 'St +Date.*Size$' "80x24: the column header fits"
n=$(grep -n '^ Transcript (live)' "$TUI_ART/narrow.txt" | cut -d: -f1)
tap_ok "$([ "${n:-0}" -gt 5 ] && echo 0 || echo 1)" "80x24: the transcript pane is below the list"
tap_unlike "$TUI_LAST" 'Synthetic message 000056' "80x24: nothing left from the tall screen"

tui_tmux resize-window -t t -x 200 -y 60
tui_wait 'Size +│ Transcript \(live\)'
tap_ok $? "back to 200x60: the pane is beside again"
tui_wait 'Synthetic message 000056'
check 200 60 wide-again
tap_is "$(cat "$TUI_ART/wide-again.txt")" "$(cat "$TUI_ART/wide.txt")" \
	"back to 200x60: the same screen as before"

tui_keys t
tui_wait_gone 'Transcript \(live\)'
tap_ok $? "t hides the pane again"
tui_tmux resize-window -t t -x 30 -y 8
tui_wait 'terminal too small'
tap_ok $? "30x8: says the terminal is too small"
tui_tmux resize-window -t t -x 80 -y 24
tui_wait 'Synthetic message 000000'
tap_ok $? "80x24 again: the list is back"
tui_keys q
tui_wait_exit
tap_is "$TUI_EXIT" 0 "q quits with 0"
tap_done
