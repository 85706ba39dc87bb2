#!/bin/bash
# first_screen.sh: mailbench without arguments opens the TUI on an empty cache: the accounts,
# an empty list with the "press F to fetch" hint (and "mailbench lab start" when the lab
# does not answer), ? lists the keys, F runs a fetch job that ends in the status bar, and
# q quits with 0 and the terminal restored. Also --help and a bad option.
set -u
. "$top_srcdir/tests/tui/lib.sh"

# a lab that is certainly not running: nothing listens on this base
export MAILBENCH_LAB_DIR=$TUI_TMP/nolab MAILBENCH_LAB_BASE=29400

out=$("$MAILBENCH" --help 2>&1)
tap_like "$out" '--account NAME.*--theme NAME' "--help shows the TUI options"
"$MAILBENCH" --frobnicate >/dev/null 2>"$TUI_TMP/err"
tap_is "$?" 2 "an unknown option exits 2"
tap_like "$(cat "$TUI_TMP/err")" "unknown option '--frobnicate'" "and names the option"
"$MAILBENCH" </dev/null >/dev/null 2>"$TUI_TMP/err"
tap_is "$?" 2 "without a terminal: exit code 2"
tap_like "$(cat "$TUI_TMP/err")" 'needs a terminal' "without a terminal it says it needs one"

"$MAILBENCH" --cache "$TUI_CACHE" --account nosuch </dev/null >/dev/null 2>"$TUI_TMP/err"
tap_is "$?" 10 "an unknown account exits 10 before the screen starts"
tap_like "$(cat "$TUI_TMP/err")" "no account named 'nosuch'" "and names the account"

tui_start 80 24
tui_wait 'Accounts'
tap_ok $? "the first screen appears"
tui_wait 'mailbench lab start'
tap_ok $? "the lab preset without a running lab says 'mailbench lab start'"
tui_snap first
screen=$TUI_LAST
tap_like "$(tui_line 1)" '^ mailbench .* lab .*\?:help' "title bar: program, account, ?:help"
tap_like "$screen" '│ *lab|^ lab ' "the sidebar lists the lab account"
tap_like "$screen" 'mailpit' "and the mailpit account"
tap_like "$screen" 'St +Date.+From +Subject +Size' "the list has its column headers"
tap_like "$screen" 'Press F to fetch' "the empty list says how to fetch"
tap_like "$(tui_line 24)" '^ lab .*not connected' "status bar: account and connection state"
tap_is "$(tui_screen | wc -l)" 24 "exactly 24 rows"

tui_keys '?'
tui_wait 'Keys' && tui_wait 'Everywhere'
tap_ok $? "? opens the help"
tui_snap help
tap_like "$TUI_LAST" 'F +fetch new mail' "help lists F"
tap_like "$TUI_LAST" '/ +full-text search' "help lists /"
tap_like "$TUI_LAST" 'Tab +sidebar, list, transcript pane' "help lists Tab"
tui_keys Escape
tui_wait_gone 'Everywhere'
tap_ok $? "Esc closes the help"

tui_keys F
tui_wait 'fetch( failed)?: '
tap_ok $? "F runs a fetch job whose end shows in the status bar"
tui_snap fetch

tui_keys q
tui_wait_exit
tap_is "$TUI_EXIT" 0 "q quits with exit code 0"
tui_wait 'EXIT=0'
tap_unlike "$TUI_LAST" 'Accounts' "the full screen is gone after exit"
tap_is "$(cat "$TUI_TMP/stty.after" 2>/dev/null)" "$(cat "$TUI_TMP/stty.before" 2>/dev/null)" \
	"terminal modes are restored"
tap_ok "$([ -f "$XDG_STATE_HOME/mailbench/mailbench.log" ] && echo 0 || echo 1)" \
	"stderr went to the log file"
tap_is "$(stat -c %a "$XDG_STATE_HOME/mailbench/mailbench.log" 2>/dev/null)" 600 \
	"the log file is private (0600)"
tui_snap exit
tap_done
