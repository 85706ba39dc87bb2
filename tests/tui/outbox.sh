#!/bin/bash
# outbox.sh: the outbox screen. At 80x24: a message to a recipient the lab refuses fails and
# is listed (o) with its error and the server's reply; r retries it (a second attempt), d
# deletes it after asking. A message whose server was down fails with the connection
# error; with the account fixed (the config, as a user would), r sends it: it leaves the
# queued-and-failed list, a shows it as sent, T lists its two sessions, bob receives it. At
# 200x60: a message whose last attempt was interrupted (mailbench died while sending) is
# marked unknown and is only sent again after the user confirms.
set -u
. "$top_srcdir/tests/lab/fixture.sh"
. "$top_srcdir/tests/tui/lib.sh"

cfg=$TUI_TMP/mb.conf
# a port nothing listens on: bound and released
down_port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
write_config()
{
	cat >"$cfg" <<EOF
[account sub]
from = Alice <alice@$LAB_DOMAIN>
smtp_host = localhost
smtp_port = $LAB_SUBMISSION_PORT
smtp_security = starttls
user = alice
password_command = cat '$MAILBENCH_LAB_DIR/secrets/alice'
ca_file = $LAB_CA
timeout = 20

[account flaky]
from = Alice <alice@$LAB_DOMAIN>
smtp_host = localhost
smtp_port = $1
smtp_security = starttls
user = alice
password_command = cat '$MAILBENCH_LAB_DIR/secrets/alice'
ca_file = $LAB_CA
timeout = 20
EOF
	chmod 600 "$cfg"
}
write_config "$down_port"
token=$(lab_token)

# compose TO SUBJECT and send it (^X), then wait for the status bar to say REGEX
send()
{
	tui_keys c
	tui_wait 'Compose · '
	tui_type "$1"
	tui_keys Down Down Down
	tui_type "$2"
	tui_keys Enter
	tui_type "Outbox test $token."
	tui_keys C-x
	tui_wait "$3" 30
}

# ---- 80x24: refused, listed, retried, deleted ----
tui_start 80 24 --config "$cfg" --account sub
tui_wait 'Accounts' || tap_bail "mailbench did not start"
tui_keys o
tui_wait 'Outbox · 0 messages'
tap_ok $? "o opens the outbox"
tap_like "$TUI_LAST" 'Nothing queued or failed' "an empty outbox says so"
tui_keys q
send "nobody@$LAB_DOMAIN" "tui refused $token" 'send failed: RCPT refused: 550'
tap_ok $? "a send to a refused address fails and says why"
tui_keys q
tui_wait 'Accounts'
tui_keys o
tui_wait "FAILED +#[0-9]+ +1 .*nobody@$LAB_DOMAIN +tui refused"
tap_ok $? "the outbox lists the failed message: status, attempts, recipient, subject"
tui_snap failed
tap_like "$TUI_LAST" 'Error: +RCPT refused: 550 5\.1\.1 <nobody@lab\.test>' "with its error"
tap_like "$TUI_LAST" "Envelope: MAIL FROM:<alice@$LAB_DOMAIN>  RCPT TO:<nobody@$LAB_DOMAIN>" \
	"and its envelope"
tap_like "$TUI_LAST" "Replies: +nobody@$LAB_DOMAIN 550 " "and the server's reply to the recipient"
tui_keys r
tui_wait 'FAILED +#[0-9]+ +2 ' 30
tap_ok $? "r retries it: a second attempt, failed again"
tui_snap retried
tap_like "$TUI_LAST" '2 attempts' "the details count two attempts"
tui_keys d
tui_wait 'Delete outbox message #[0-9]+ \(FAILED\)\? \(y/n\)'
tap_ok $? "d asks first"
tui_keys n
tui_wait_gone 'Delete outbox'
tap_like "$TUI_LAST" 'FAILED +#' "n keeps it"
tui_keys d
tui_wait 'Delete outbox message'
tui_keys y
tui_wait 'Nothing queued or failed'
tap_ok $? "y deletes it"
tui_keys q
tui_wait 'Accounts'
tui_keys q
tui_wait_exit
tap_is "$TUI_EXIT" 0 "mailbench exits with 0"

# ---- the server is down, then the account is fixed: retry sends it ----
tui_start 80 24 --config "$cfg" --account flaky
tui_wait 'Accounts'
send "bob@$LAB_DOMAIN" "tui retry $token" 'send failed: cannot connect'
tap_ok $? "with the server down, the send fails at connect"
tui_keys o
tui_wait "FAILED .*bob@$LAB_DOMAIN +tui retry"
tap_like "$TUI_LAST" "Error: +cannot connect to 'localhost:$down_port'" "the outbox has the connection error"
tui_snap down
tui_keys q q
tui_wait_exit
tap_is "$TUI_EXIT" 0 "mailbench exits with 0"
write_config "$LAB_SUBMISSION_PORT"
tui_start 80 24 --config "$cfg" --account flaky
tui_wait 'Accounts'
tui_keys o
tui_wait "FAILED .*tui retry"
tui_keys r
tui_wait 'sent: outbox message [0-9]+' 30
tap_ok $? "after the fix, r sends it"
tui_wait 'Nothing queued or failed'
tap_ok $? "it leaves the list of queued and failed messages"
tui_keys a
tui_wait "sent +#[0-9]+ +2 .*bob@$LAB_DOMAIN +tui retry"
tap_ok $? "a shows it as sent, after two attempts"
tui_snap sent
tap_like "$TUI_LAST" 'Replies: +bob@lab\.test 250 ' "with the server's 250 for bob"
tui_keys T
tui_wait 'Stored transcripts'
tap_ok $? "T lists its stored sessions"
tui_snap sessions
tap_is "$(printf '%s\n' "$TUI_LAST" | grep -c " smtp flaky localhost:")" 2 "both attempts are there"
tap_like "$TUI_LAST" ' ok, [0-9]+ lines' "the sending session ended well"
tap_like "$TUI_LAST" ' failed, [0-9]+ lines' "the first one failed"
tui_keys Escape
tui_keys Enter
tui_wait 'Envelope versus headers of outbox message [0-9]+ \(sent\)'
tap_ok $? "Enter opens its envelope view"
lab_wait_for_match bob "^Subject: tui retry $token" >/dev/null
tap_ok $? "bob received the retried message"
tui_keys q q q
tui_wait_exit
tap_is "$TUI_EXIT" 0 "mailbench exits with 0"

# ---- 200x60: an interrupted send is resent only when the user says so ----
tui_start 200 60 --config "$cfg" --account sub
tui_wait 'Accounts'
send "bob@$LAB_DOMAIN" "tui unknown $token" 'sent: outbox message [0-9]+'
tui_keys q q
tui_wait_exit
tap_is "$TUI_EXIT" 0 "mailbench exits with 0"
id=$(/usr/bin/python3 - "$TUI_CACHE" "tui unknown $token" <<'EOF'
import sqlite3, subprocess, socket, sys
# what a mailbench that died while sending leaves: status sending, its host, a dead pid
dead = subprocess.Popen(["true"]); dead.wait()
con = sqlite3.connect(sys.argv[1], timeout=10)
row = con.execute("SELECT id FROM outbox WHERE hdr_subject = ?", (sys.argv[2],)).fetchone()
con.execute("UPDATE outbox SET status = 'sending', sent_at = 0, sender_host = ?, sender_pid = ? "
            "WHERE id = ?", (socket.gethostname(), dead.pid, row[0]))
con.commit()
print(row[0])
EOF
)
tap_like "$id" '^[0-9]+$' "the row is made to look like an interrupted send"
# this message only: other tests running alongside send bob mail too
lab_wait_for_match bob "^Subject: tui unknown $token" >/dev/null
tap_ok $? "bob has the first attempt's copy"
before=$(lab_count_subject bob "tui unknown $token")
tui_start 200 60 --config "$cfg" --account sub
tui_wait 'Accounts'
tui_keys o
tui_wait "unknown +#$id "
tap_ok $? "mailbench finds it at start and lists it as unknown"
tui_snap unknown
tap_like "$TUI_LAST" 'Error: +unknown: the previous attempt was interrupted' "the error says why"
tap_like "$TUI_LAST" "It may have been delivered: check the recipient's mailbox" "the details warn"
tui_keys r
tui_wait 'may have been delivered \(check the mailbox\)\. Send it again\? \(y/n\)'
tap_ok $? "r asks first, saying why"
tui_keys n
tui_wait_gone 'Send it again'
sleep 1
tap_like "$(tui_screen)" "unknown +#$id +1 " "n: nothing is sent (still one attempt)"
tap_is "$(lab_count_subject bob "tui unknown $token")" "$before" "bob got nothing more"
tui_keys r
tui_wait 'Send it again\?'
tui_keys y
tui_wait 'sent: outbox message' 30
tap_ok $? "y: it is sent again"
tui_keys a
tui_wait "sent +#$id +2 "
tap_ok $? "listed as sent after the second attempt"
tui_keys q q
tui_wait_exit
tap_is "$TUI_EXIT" 0 "q quits with 0"
log=$XDG_STATE_HOME/mailbench/mailbench.log
tap_unlike "$(cat "$log" 2>/dev/null)" 'Sanitizer|runtime error' "no sanitizer report in the log (stderr)"
tap_done
