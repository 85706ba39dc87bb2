#!/bin/bash
# transcript.sh: the transcript pane. t shows and hides it; a session stored in the cache
# (a real SMTP send to the lab with Bcc, by `mailbench send`) opens from L in the pane:
# C:/S: lines with each reply's meaning and round-trip time, the TLS boundary, AUTH
# masked, MAIL FROM / RCPT TO / 354, the message data summarised; Enter explains a line,
# and x exports the transcript as text and as Markdown.
set -u
. "$top_srcdir/tests/lab/fixture.sh"
. "$top_srcdir/tests/tui/lib.sh"

token=$(lab_token)
echo "Transcript test $token." | "$MAILBENCH" --cache "$TUI_CACHE" send --account lab \
	--to "bob@$LAB_DOMAIN" --bcc "carol@$LAB_DOMAIN" --subject "tui $token" --body - \
	>"$TUI_TMP/send.out" 2>&1
tap_is "$?" 0 "mailbench send through the lab's submission port (the session is stored)"

tui_start 160 50
tui_wait 'Accounts'
tap_unlike "$TUI_LAST" 'Transcript \(' "no transcript pane at first"
tui_keys t
tui_wait 'Transcript \(live\)'
tap_ok $? "t shows the live transcript pane"
tui_snap live-empty
tap_like "$TUI_LAST" 'No session yet' "the empty pane says what will appear"
tui_keys t
tui_wait_gone 'Transcript \(live\)'
tap_ok $? "t hides it again"

tui_keys L
tui_wait 'Stored transcripts'
tap_ok $? "L lists the stored sessions"
tui_snap picker
tap_like "$TUI_LAST" "#[0-9]+ .* smtp lab localhost:$LAB_SUBMISSION_PORT ok, [0-9]+ lines" \
	"the sent session is listed with protocol, server, result"
tui_keys Enter
tui_wait 'Transcript \(stored #'
tap_ok $? "Enter opens it in the pane"
tui_snap stored-top
tap_like "$TUI_LAST" 'S: 220 .*← service ready \([0-9]+ ms\)' \
	"the greeting with its meaning and round-trip time"
tap_like "$TUI_LAST" 'C: EHLO ' "the client's EHLO"
tap_like "$TUI_LAST" 'C: STARTTLS' "STARTTLS"
tap_like "$TUI_LAST" '── TLS from here' "the TLS boundary is marked"
tap_like "$TUI_LAST" 'TLS certificate verified' "the certificate check"
tui_keys G
tui_wait 'C: QUIT'
tui_snap stored-end
tap_like "$TUI_LAST" 'C: AUTH PLAIN <masked' "AUTH is masked"
tap_unlike "$TUI_LAST$(cat "$TUI_ART/stored-top.txt")" "$(lab_password alice)" \
	"the password is nowhere on the screen"
tap_like "$TUI_LAST" "C: MAIL FROM:<alice@$LAB_DOMAIN>" "MAIL FROM"
tap_like "$TUI_LAST" "C: RCPT TO:<bob@$LAB_DOMAIN>" "RCPT TO for To"
tap_like "$TUI_LAST" "C: RCPT TO:<carol@$LAB_DOMAIN>" "RCPT TO for the Bcc"
tap_like "$TUI_LAST" 'S: 354 ' "354, go ahead with the data"
tap_like "$TUI_LAST" 'DATA: [0-9]+ lines, [0-9]+ bytes +\[Enter\]' "the data is summarised"
tap_like "$TUI_LAST" 'S: 250 .*queued' "the final 250"

# the selection is on the last line after G; go to the summary line and ask about it
tui_keys k k k k
tui_keys Enter
tui_wait 'message data is summarised here'
tap_ok $? "Enter on the summary says how to see the data"

tui_keys x
tui_wait 'Export transcript to'
tui_keys C-u
tui_type "$TUI_TMP/t.md"
tui_keys Enter
tui_wait 'written to'
tap_ok $? "x exports the transcript"
md=$(cat "$TUI_TMP/t.md" 2>/dev/null)
tap_like "$md" '^# mailbench transcript: ' "Markdown: a title"
tap_like "$md" '\| time \| dir \| line \| meaning \|' "Markdown: a table"
tap_like "$md" "\| C \| \`RCPT TO:<carol@$LAB_DOMAIN>\` \|" "Markdown: a client row"
tap_like "$md" '\| S \| `354 [^|]*` \| start mail input' "Markdown: a reply with its meaning"
tui_keys x
tui_wait 'Export transcript to'
tui_keys C-u
tui_type "$TUI_TMP/t.txt"
tui_keys Enter
tui_wait 't.txt'
txt=$(cat "$TUI_TMP/t.txt" 2>/dev/null)
tap_like "$txt" '^[0-9:.]{12} C   EHLO ' "text: timestamped client lines"
tap_like "$txt" '<- service ready \([0-9]+ ms\)' "text: meanings and round-trip times"
tui_keys x
tui_wait 'Export transcript to'
tui_keys C-u
tui_type "$TUI_TMP/t.txt"
tui_keys Enter
tui_wait 'not exported: the file exists already'
tap_ok $? "export never overwrites a file"

tui_keys l
tui_wait 'Transcript \(live\)'
tap_ok $? "l goes back to the live transcript"
tui_keys Escape q
tui_wait_exit
tap_is "$TUI_EXIT" 0 "Esc leaves the pane, q quits with 0"
tap_done
