#!/bin/bash
# console.sh: the raw protocol console. At 80x24 on the lab's plain SMTP port: EHLO, MAIL
# FROM, RCPT TO, DATA, a line starting with '.', the lone '.', QUIT, typed as with ncat -C;
# the screen shows each reply with its meaning, the hint line follows the conversation,
# the dot-line is shown as sent ("..") and arrives with one dot. At 200x50 on the submission
# port: STARTTLS upgrades the connection (the TLS lines, the status bar), the login helper
# sends AUTH PLAIN masked; Esc closes the connection and Esc again leaves; then POP3 (STLS,
# USER, PASS masked, STAT, QUIT) and IMAP (tags suggested, STARTTLS, LOGIN by the helper,
# SELECT, LOGOUT).
set -u
. "$top_srcdir/tests/lab/fixture.sh"
. "$top_srcdir/tests/tui/lib.sh"

cfg=$TUI_TMP/mb.conf
cat >"$cfg" <<EOF
[account plain]
from = Alice <alice@$LAB_DOMAIN>
smtp_host = localhost
smtp_port = $LAB_SMTP_PORT
smtp_security = none
ca_file = $LAB_CA
timeout = 20

[account sub]
from = Alice <alice@$LAB_DOMAIN>
smtp_host = localhost
smtp_port = $LAB_SUBMISSION_PORT
smtp_security = starttls
imap_host = localhost
imap_port = $LAB_IMAP_PORT
imap_security = starttls
pop3_host = localhost
pop3_port = $LAB_POP3_PORT
pop3_security = starttls
user = alice
password_command = cat '$MAILBENCH_LAB_DIR/secrets/alice'
ca_file = $LAB_CA
timeout = 20
EOF
chmod 600 "$cfg"
token=$(lab_token)
seen=

# send LINE, then wait for REGEX; every screen seen is kept in $seen
say()
{
	tui_type "$1"
	tui_keys Enter
	tui_wait "$2" 10
	local st=$?
	seen="$seen$TUI_LAST"
	return $st
}

# ---- 80x24: a whole SMTP transaction by hand on the plain port ----
tui_start 80 24 --config "$cfg" --account plain
tui_wait 'Accounts' || tap_bail "mailbench did not start"
tui_keys R
tui_wait 'Raw protocol console'
tap_ok $? "R opens the console's form"
tui_snap form
tap_like "$TUI_LAST" 'Account +◂ plain ▸' "the form starts on the current account"
tap_like "$TUI_LAST" 'Protocol +◂ SMTP ▸' "SMTP"
tap_like "$TUI_LAST" "Port +$LAB_SMTP_PORT" "the account's port"
tap_like "$TUI_LAST" 'Security +◂ none ▸' "and security"
tui_keys Enter
tui_wait 'S: 220 .*← service ready'
tap_ok $? "Enter connects: the greeting with its meaning"
tap_like "$TUI_LAST" 'next: EHLO' "the hint suggests EHLO"
tap_like "$TUI_LAST" 'plain \(no TLS\)' "the status bar says plain"
say "EHLO student.example" 'next: MAIL FROM'
tap_ok $? "EHLO: the hint moves on to MAIL FROM"
tap_like "$TUI_LAST" 'or STARTTLS first' "STARTTLS is offered in the hint (the server announced it)"
say "MAIL FROM:<alice@$LAB_DOMAIN>" 'next: RCPT TO'
tap_ok $? "MAIL FROM accepted: the hint says RCPT TO"
say "RCPT TO:<nobody@$LAB_DOMAIN>" 'refused \(5xx'
tap_ok $? "a refused RCPT TO: the hint says so"
say "RCPT TO:<bob@$LAB_DOMAIN>" 'next: more RCPT TO:<...>, or DATA'
tap_ok $? "RCPT TO accepted: more RCPT TO or DATA"
say "DATA" 'DATA>'
tap_ok $? "354: the input turns into DATA mode"
tap_like "$TUI_LAST" "a lone '\.' ends the message" "the hint says how the message ends"
say "Subject: tui console $token" "C: Subject: tui console $token"
say "" 'C: *$'
say "First line of the body." 'C: First line of the body\.'
tui_type ".dot-line $token"
tui_wait "sent as '\.\.dot-line"
tap_ok $? "a line starting with '.' is announced as dot-stuffed before it is sent"
tui_snap dot-line
tui_keys Enter
tui_wait "C: \.\.dot-line $token"
tap_ok $? "it is shown as sent: '..dot-line'"
seen="$seen$TUI_LAST"
say "." 'S: 250 .*queued'
tap_ok $? "the lone dot ends the message: 250 queued"
tap_like "$TUI_LAST" 'DATA: [0-9]+ lines?, [0-9]+ bytes' "the data is counted"
tap_like "$TUI_LAST" 'queued\. next: MAIL FROM.*or QUIT' "the hint: another message, or QUIT"
tui_snap queued
say "QUIT" 'closed: the session ended'
tap_ok $? "QUIT: the server closes, the console says so"
tui_snap quit
tap_like "$seen" 'S: 250[ -].*← requested action okay' "replies are shown with their meanings"
tap_like "$seen" 'S: 550 5\.1\.1 <nobody@lab\.test>' "the refusal"
tap_like "$seen" '← mailbox unavailable \(no such user' "with its meaning"
tap_like "$seen" 'S: 354 .*← start mail input' "354 with its meaning"
tap_like "$seen" "C: RCPT TO:<bob@$LAB_DOMAIN>" "the commands as typed"
tap_like "$seen" 'S: 221 .*← closing the connection' "221 with its meaning"
printf '%s\n' "$seen" >"$TUI_ART/seen-80x24.txt"

f=$(lab_wait_for_match bob "^Subject: tui console $token")
tap_ok $? "bob received the message typed in the console"
tap_like "$(cat "$f" 2>/dev/null)" "^\.dot-line $token\$" "the dot-line arrived with one dot"
tap_unlike "$(cat "$f" 2>/dev/null)" "^\.\.dot-line" "not with two"
tui_keys Escape
tui_wait 'Accounts'
tap_ok $? "Esc leaves the closed console"
tui_keys q
tui_wait_exit
tap_is "$TUI_EXIT" 0 "q quits with 0"

# ---- 200x50: STARTTLS and the login helper on the submission port ----
tui_start 200 50 --config "$cfg" --account sub
tui_wait 'Accounts'
tui_keys R
tui_wait 'Raw protocol console'
tap_like "$TUI_LAST" "Port +$LAB_SUBMISSION_PORT" "the submission port"
tap_like "$TUI_LAST" 'Security +◂ starttls ▸' "security starttls: plain first, TLS on STARTTLS"
tui_keys Enter
tui_wait 'S: 220 '
say "EHLO student.example" 'or STARTTLS first'
say "STARTTLS" 'TLS is on: the server forgets'
tap_ok $? "STARTTLS: the go-ahead, then TLS"
tui_snap starttls
tap_like "$TUI_LAST" 'S: 220 2\.0\.0 Ready to start TLS' "the server's go-ahead"
tap_like "$TUI_LAST" 'TLS +TLS established: \(TLS1\.[23]\)' "the TLS line: established"
tap_like "$TUI_LAST" "TLS +certificate verified: valid for 'localhost'" "the certificate verified"
tap_like "$TUI_LAST" 'TLS is on: EHLO again' "the hint says EHLO again"
tap_like "$TUI_LAST" 'SMTP 127\.0\.0\.1:[0-9]+ TLS verified' "the status bar says TLS verified"
say "EHLO student.example" '250-AUTH PLAIN LOGIN'
tap_ok $? "EHLO over TLS: AUTH is offered now"
tui_keys C-p
tui_wait 'Log in as: alice'
tap_ok $? "^P asks the user (the account's)"
tui_keys Enter
tui_wait 'Password \(masked'
tap_ok $? "then the password, masked"
tui_keys Enter
tui_wait 'S: 235 .*← authentication succeeded'
tap_ok $? "AUTH PLAIN with the account's password: 235"
tap_like "$TUI_LAST" 'C: AUTH PLAIN <masked: user alice>' "the AUTH line is masked"
tap_like "$TUI_LAST" 'base64\(NUL "alice" NUL password\)' "the helper says what it computed"
tap_unlike "$TUI_LAST" "$(lab_password alice)" "the password is not on the screen"
tap_unlike "$TUI_LAST" "$(printf '\0alice\0%s' "$(lab_password alice)" | base64 -w0)" \
	"nor its base64"
tui_snap auth
say "MAIL FROM:<alice@$LAB_DOMAIN>" 'next: RCPT TO'
tap_ok $? "MAIL FROM after AUTH"
tui_keys Escape
tui_wait 'closed: connection closed by the user'
tap_ok $? "Esc closes the connection"
tui_keys Escape
tui_wait 'Accounts'
tap_ok $? "Esc again leaves the console"

# POP3 with STLS and USER/PASS typed by hand (PASS masked)
tui_keys R
tui_wait 'Raw protocol console'
tui_keys Down Right
tui_wait 'Protocol +◂ POP3 ▸'
tap_like "$TUI_LAST" "Port +$LAB_POP3_PORT" "POP3: the account's POP3 port"
tui_keys Enter
tui_wait 'S: \+OK .*← success'
tap_like "$TUI_LAST" 'next: USER name then PASS secret' "POP3: the hint says USER and PASS"
say "STLS" 'TLS is on: the server forgets'
tap_ok $? "STLS: TLS"
say "USER alice" 'next: PASS'
say "PASS $(lab_password alice)" 'S: \+OK Logged in'
tap_ok $? "PASS: logged in"
tap_like "$TUI_LAST" 'C: PASS <masked: password>' "PASS is masked"
tap_unlike "$TUI_LAST" "$(lab_password alice)" "the password is not on the screen"
say "STAT" 'S: \+OK [0-9]+ [0-9]+'
tap_ok $? "STAT"
say "QUIT" 'closed: the session ended'
tui_snap pop3
tui_keys Enter
tui_wait 'Raw protocol console'
tap_ok $? "Enter on a closed session: back to the form"

# IMAP: the tag is suggested, STARTTLS, the login helper sends LOGIN (masked)
tui_keys Right
tui_wait 'Protocol +◂ IMAP ▸'
tui_keys Enter
tui_wait 'next: a1 CAPABILITY'
tap_ok $? "IMAP: the hint suggests tagged commands"
tap_like "$TUI_LAST" 'C> a1$' "the next tag is typed already"
say "STARTTLS" 'TLS is on: the server forgets'
tap_ok $? "a1 STARTTLS: TLS"
tap_like "$TUI_LAST" 'C: a1 STARTTLS' "the command went out with its tag"
tui_keys C-p
tui_wait 'Log in as: alice'
tui_keys Enter
tui_wait 'Password \(masked'
tui_keys Enter
tui_wait 'next: a3 LIST'
tap_ok $? "the login helper: a2 LOGIN, logged in (the hint moves on)"
tap_like "$TUI_LAST" 'S: a2 OK ' "the server's OK"
tap_like "$TUI_LAST" 'C: a2 LOGIN "alice" <masked: password>' "LOGIN is masked"
say "SELECT INBOX" 'S: a3 OK \[READ-WRITE\]'
tap_ok $? "a3 SELECT INBOX"
tap_like "$TUI_LAST" 'next: a4 FETCH' "the hint moves on to FETCH"
say "LOGOUT" 'closed: the session ended'
tap_ok $? "a4 LOGOUT: the session ends"
tui_snap imap
tui_keys Escape
tui_wait 'Accounts'
tui_keys q
tui_wait_exit
tap_is "$TUI_EXIT" 0 "q quits with 0"
log=$XDG_STATE_HOME/mailbench/mailbench.log
tap_unlike "$(cat "$log" 2>/dev/null)" 'Sanitizer|runtime error' "no sanitizer report in the log (stderr)"
tap_done
