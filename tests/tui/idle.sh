#!/bin/bash
# idle.sh: live updates, and the sidebar's mailbox names. An account whose mail was fetched before is watched over IMAP IDLE
# as soon as the TUI opens (status bar: "live"); a message delivered to the lab then shows
# up in the list with no key pressed, and the transcript pane shows the IDLE session. Esc
# does not cancel it, q quits at once. `[ui] idle = no` keeps no connection; a wrong
# password stops IDLE with a clear message instead of a prompt. Mailbox names are shown
# decoded from modified UTF-7, children indented under their parent.
set -u
. "$top_srcdir/tests/lab/fixture.sh"
. "$top_srcdir/tests/tui/lib.sh"

cfg=$TUI_TMP/mb.conf
# write_config PASSWORD-COMMAND [UI-LINES]
write_config()
{
	cat >"$cfg" <<EOF
[account watch]
from = Carol <carol@$LAB_DOMAIN>
imap_host = localhost
imap_port = $LAB_IMAP_PORT
imap_security = starttls
pop3_host = localhost
pop3_port = $LAB_POP3_PORT
pop3_security = starttls
user = carol
password_command = $1
ca_file = $LAB_CA
timeout = 20
${2:+
[ui]
$2}
EOF
	chmod 600 "$cfg"
}
write_config "cat '$MAILBENCH_LAB_DIR/secrets/carol'"

# mailboxes whose names are not ASCII (modified UTF-7 on the wire) and a hierarchy
DOVEADM="doveadm -c $MAILBENCH_LAB_DIR/etc/dovecot/dovecot.conf"
for box in 'Entwürfe' 'Archive' 'Archive/2024'; do
	$DOVEADM mailbox create -u carol "$box" 2>/dev/null
done
filed=$(lab_token)
printf 'From: Dora <dora@%s>\r\nSubject: filed %s\r\n\r\nFiled away.\r\n' "$LAB_DOMAIN" "$filed" |
	$DOVEADM save -u carol -m 'Entwürfe'
out=$("$MAILBENCH" --cache "$TUI_CACHE" --config "$cfg" fetch --account watch --all 2>&1)
tap_is "$?" 0 "a first fetch of carol's mailboxes (the account is now known to the cache)"
[ "$?" = 0 ] || tap_diag "$out"
mbl() { COLUMNS=200 "$MAILBENCH" --cache "$TUI_CACHE" --config "$cfg" list --account watch "$@" 2>&1; }
tap_like "$(mbl --mailbox 'Entwürfe')" "filed $filed" "list --mailbox takes the decoded name"
tap_like "$(mbl --mailbox 'Entw&APw-rfe')" "filed $filed" "... and the name as on the wire"
out=$("$MAILBENCH" --cache "$TUI_CACHE" --config "$cfg" fetch --account watch --protocol pop3 2>&1)
tap_is "$?" 0 "and one over POP3 (its INBOX is another mailbox of the account)"
[ "$?" = 0 ] || tap_diag "$out"
tap_like "$(mbl)" "Entwürfe +.*filed $filed" "the table shows the mailbox decoded"
tap_like "$(mbl --format tsv)" "	Entwürfe	.*filed $filed" "... and so does tsv"
json=$(mbl --mailbox 'Entwürfe' --format json)
tap_like "$json" '"mailbox":"Entwürfe","mailbox_wire":"Entw&APw-rfe"' \
	"json: the mailbox decoded, and as the server spells it"

# --- IDLE from the start ---
tui_start 80 24 --config "$cfg" --account watch
tui_wait 'TLS verified . live' 20
tap_ok $? "the status bar says the account is watched live, over verified TLS"
tui_snap live
tap_like "$TUI_LAST" '^ +Entwürfe +([0-9]+ )?│' "a mailbox name in modified UTF-7 is shown decoded"
# the label is cut to leave room for the count, which grows as runs of a kept lab add mail
tap_like "$TUI_LAST" '^ +POP3 (INBOX +|I[A-Z]*… )([0-9]+ )?│' \
	"the POP3 INBOX is told from the IMAP one (cut at 80 columns)"
tap_unlike "$TUI_LAST" 'Entw&' "not as the wire's modified UTF-7"
tap_like "$(printf '%s\n' "$TUI_LAST" | grep -E -A1 '^ +Archive +│')" '^ +2024 +│' \
	"a child mailbox shows as its last level, indented under its parent"
tui_keys t
tui_wait '\+ idling|\+ .*[Ii]dl' 20
tap_ok $? "the transcript pane shows the IDLE command and the server's go-ahead"
tui_snap idle-transcript
tap_like "$TUI_LAST" 'C: [0-9A-Za-z]+ IDLE' "the IDLE command itself"
tui_keys t
tui_wait_gone 'Transcript \(live\)'

token=$(lab_token)
swaks --server "$LAB_HOST:$LAB_SMTP_PORT" --from "bob@$LAB_DOMAIN" --to "carol@$LAB_DOMAIN" \
	--h-From "Bob <bob@$LAB_DOMAIN>" --h-Subject "idle $token" \
	--body "Live, not fetched: $token." >/dev/null 2>&1
tap_is "$?" 0 "a message for carol goes to the lab's SMTP port"
tui_wait "idle ${token:0:16}" 30
tap_ok $? "it appears in the list with no key pressed"
tui_snap arrived
tap_like "$TUI_LAST" "N +[0-9:]+ +Bob +idle ${token:0:16}" "as a new (unread) message from Bob"
tap_like "$TUI_LAST" 'watch +[0-9]+ ' "the sidebar counts it as unread"

# the message knows the session that fetched it: the IDLE session
tui_keys l
tui_type "$token"
tui_keys Enter
tui_wait '1 messages match' 5
tui_keys Enter
tui_wait "Live, not fetched: $token" 5
tap_ok $? "Enter opens it"
# read here is read on the server
flags=""
for _ in $(seq 50); do
	flags=$($DOVEADM -f flow fetch -u carol flags mailbox INBOX header Subject "idle $token" 2>&1)
	case "$flags" in *'\Seen'*) break ;; esac
	sleep 0.2
done
tap_like "$flags" '\\Seen' "opening it marks it \\Seen on the server"
tui_keys T
tui_wait 'Transcript \(stored #[0-9]+' 5
tap_ok $? "T opens the stored transcript of the session that fetched it"
tui_keys G
tui_wait 'S: \* [0-9]+ FETCH \(UID [0-9]+ ' 5
tui_snap message-session
tap_like "$TUI_LAST" 'Transcript \(stored #[0-9]+ .* imap watch localhost:[0-9]+ unfinished' \
	"... the IMAP session still open (IDLE), not the first fetch"
tap_like "$TUI_LAST" 'S: \* [0-9]+ FETCH \(UID [0-9]+ ' "... where the server handed the message over"
tui_keys Escape q
tui_wait_gone "N +[0-9:]+ +Bob +idle ${token:0:16}" 10
tap_ok $? "back in the list, it is no longer marked new"
tui_snap read
tap_like "$TUI_LAST" "[0-9:]+ +Bob +idle ${token:0:16}" "(still listed)"
tui_keys Escape
tui_wait 'Accounts'

tui_keys Escape
sleep 0.5
tui_wait 'TLS verified . live'
tap_ok $? "Esc does not stop the live connection"
tui_keys q
tui_wait_exit 5
tap_is "$TUI_EXIT" 0 "q quits at once with 0 (no question about a running job)"

# --- [ui] idle = no ---
write_config "cat '$MAILBENCH_LAB_DIR/secrets/carol'" "idle = no"
tui_start 80 24 --config "$cfg" --account watch
tui_wait 'Accounts'
sleep 2
TUI_LAST=$(tui_screen)
tui_snap idle-off
tap_unlike "$TUI_LAST" '. live' "with idle = no there is no live connection"
tap_like "$TUI_LAST" 'not connected' "and nothing connects"
tui_keys q
tui_wait_exit 5

# --- a wrong password: a clear message, never a prompt (wide, to read all of it) ---
write_config "echo not-the-password"
tui_start 160 30 --config "$cfg" --account watch
tui_wait 'IDLE stopped' 30
tap_ok $? "a failed IDLE login stops the live updates with a message"
tui_snap idle-failed
tap_like "$TUI_LAST" 'stopped: .*(auth|AUTH|login|LOGIN|password|credentials)' \
	"the message says the login failed"
tap_unlike "$TUI_LAST" 'Password for' "no password prompt opened by itself"
tap_unlike "$TUI_LAST" '. live' "and the status bar no longer says live"
tui_keys q
tui_wait_exit 5
tap_is "$TUI_EXIT" 0 "q quits with 0"

tap_done
