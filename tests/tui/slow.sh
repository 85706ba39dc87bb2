#!/bin/bash
# slow.sh: a server that trickles its greeting one byte a second (the scripted fault server,
# smtp-slow-trickle). While mailbench sends to it (compose, ^X), the interface still answers
# every key at once: help, the outbox. Esc cancels the send long before the greeting ends;
# the message stays in the outbox, failed and cancelled, not lost and not sent; the
# transcript pane shows the cancel.
set -u
. "$top_srcdir/tests/tui/lib.sh"
. "$top_srcdir/tests/faultserver/fault.sh"
trap 'fault_cleanup; tui_cleanup' EXIT

fault_start "$top_srcdir/tests/faultserver/scripts/smtp-slow-trickle.script" --timeout 60 ||
	tap_bail "the fault server did not start"

cfg=$TUI_TMP/mb.conf
cat >"$cfg" <<EOF
[account slow]
from = Alice <alice@example.org>
smtp_host = 127.0.0.1
smtp_port = $FAULT_PORT
smtp_security = none
timeout = 120
EOF

tui_start 80 24 --config "$cfg" --account slow
tui_wait 'Accounts' || tap_bail "mailbench did not start"
tui_keys c
tui_wait 'Compose · slow'
tui_type "bob@example.org"
tui_keys Down Down Down
tui_type "slow server"
tui_keys Enter
tui_type "Patience."
tui_keys C-x
tui_wait 'Esc cancels' 5
tap_ok $? "^X starts the send: the status bar offers Esc to cancel"
tui_snap sending
tap_like "$TUI_LAST" 'Transcript \(live\)' "the transcript pane opened for the session"
tap_like "$TUI_LAST" "127\\.0\\.0\\.1.*$FAULT_PORT|connect" "it shows the connection to the slow server"

# the interface answers while the server trickles
tui_keys '?'
tui_wait '─ Keys ─' 2
tap_ok $? "? opens the help at once while the send waits on the server"
tui_keys Escape
tui_wait_gone '─ Keys ─' 2
tap_ok $? "Esc closes the help (the send goes on)"
tap_like "$(tui_screen)" 'Esc cancels' "the send is still running"
tui_keys o
tui_wait 'Outbox' 2
tap_ok $? "o opens the outbox at once"
tui_snap outbox-sending
tap_like "$TUI_LAST" 'slow server' "the message being sent is in the outbox"

tui_keys Escape
tui_wait 'cancelled' 5
tap_ok $? "Esc cancels the send within seconds (the greeting needs half a minute more)"
tui_snap cancelled
tap_unlike "$TUI_LAST" 'Esc cancels' "no job runs any more"
tui_wait '^FAILED +#[0-9]+ .*slow server' 5
tap_ok $? "the outbox keeps the message as failed: not lost, not sent"
tap_like "$TUI_LAST" 'Error: +cancelled by the user' "its error says the user cancelled it"
tap_like "$TUI_LAST" 'send: cancel requested by the user \(Esc\)' \
	"the transcript pane shows the cancel request"
tap_like "$TUI_LAST" 'session failed at greeting' "and where the session stood"

fault_wait 10
tap_is "$?" 0 "the server saw mailbench close the connection (no data sent)"
fault_record_lacks 'MAIL FROM'
tap_ok $? "no MAIL FROM reached the server"

tui_keys q q
tui_wait_exit 5 || { tui_keys q; tui_wait_exit 5; }
tap_is "$TUI_EXIT" 0 "q quits with 0"

out=$("$MAILBENCH" --cache "$TUI_CACHE" --config "$cfg" outbox 2>&1)
tap_like "$out" 'slow server' "mailbench outbox still lists the message"
tap_done
