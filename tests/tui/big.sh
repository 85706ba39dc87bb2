#!/bin/bash
# big.sh: a 100 000-message mailbox scrolls correctly: PgDn moves exactly one page, G shows
# the last messages, g the first ones, S reverses the order, a filter and a search work on
# the whole mailbox. (Speed is measured by tests/bench/tui_bench.sh, not asserted here.)
set -u
. "$top_srcdir/tests/tui/lib.sh"

export MAILBENCH_LAB_DIR=$TUI_TMP/nolab MAILBENCH_LAB_BASE=29400
tui_seed lab --synthetic 100000 || tap_bail "cannot seed the cache"

# first_row: the subject number of the first message row (row 3 of the screen)
first_row() { tui_line 3 | grep -o 'Synthetic message [0-9]*' | grep -o '[0-9]*$'; }
last_row() { tui_line 23 | grep -o 'Synthetic message [0-9]*' | grep -o '[0-9]*$'; }

tui_start 80 24
tui_wait '100000 messages' 30
tap_ok $? "the title counts 100 000 messages"
tui_wait 'Synthetic message 000000'
tui_snap top
tap_is "$(first_row)" 000000 "the newest message first"
tap_is "$(last_row)" 000020 "21 rows on an 80x24 screen"

tui_keys PageDown
tui_wait 'Synthetic message 000041'
tui_snap pgdn
tap_is "$(first_row)" 000021 "PgDn: the next page starts right after the last row"
tap_is "$(last_row)" 000041 "PgDn: a full page"
tui_keys PageDown PageDown
tui_wait 'Synthetic message 000083'
tap_is "$(first_row)" 000063 "PgDn twice more: three pages down"
tui_keys PageUp
tui_wait 'Synthetic message 000042'
tap_is "$(first_row)" 000042 "PgUp: one page back"
tui_keys Up
tui_wait_gone 'Synthetic message 000062'
tap_is "$(first_row)" 000041 "Up at the top row scrolls one row back"

tui_keys G
tui_wait 'Synthetic message 099999'
tui_snap end
tap_is "$(last_row)" 099999 "G: the oldest message is the last row"
tap_is "$(first_row)" 099979 "G: a full last page"
tui_keys PageUp
tui_wait 'Synthetic message 099958'
tap_is "$(first_row)" 099958 "PgUp from the end"
tui_keys Down
tui_keys g
tui_wait 'Synthetic message 000000'
tap_is "$(first_row)" 000000 "g: back to the top"

tui_keys S
tui_wait_gone 'Synthetic message 000000'
tui_snap reversed
tap_is "$(first_row)" 099999 "S reverses the order: the oldest first"
tui_keys S

tui_keys l
tui_wait 'Filter'
tui_type 'message 07777'
tui_keys Enter
tui_wait '10 messages matching'
tui_snap filter
tap_ok $? "the quick filter counts the matches in the whole mailbox"
tap_is "$(first_row)" 077770 "and lists them"
tui_keys Escape
tui_wait '100000 messages'
tap_ok $? "Esc clears the filter"

tui_keys /
tui_wait 'Search'
tui_type 'subject:099998'
tui_keys Enter
tui_wait "search 'subject:099998': 1 result"
tap_ok $? "full-text search finds one message among 100 000"
tui_snap search
tap_like "$TUI_LAST" 'Synthetic message 099998' "the result is listed"
tui_keys Enter
tui_wait 'Body of message 99998'
tap_ok $? "Enter opens the found message"
tui_keys q q q
tui_wait_exit
tap_is "$TUI_EXIT" 0 "q from the message, the search and the list quits with 0"
tap_done
