#!/bin/bash
# cli_read_outbox.sh (integration): mailbench outbox (list, show, retry, delete) and
# mailbench transcript (list, show, export) on messages really sent: through the lab's
# submission port (STARTTLS + AUTH), and through scripted fault servers for the failures: a
# 451 then a good second connection, a reset after the final dot (fate unknown: retry only
# with --confirm), a sender killed with -9 mid-send (recovered as unknown), a closed port.
# Hostile server replies must reach the terminal and the exports sanitised.
set -u
# shellcheck source=tests/lab/fixture.sh
. "${top_srcdir:?run me from make check}/tests/lab/fixture.sh"
# shellcheck source=tests/faultserver/fault.sh
. "$top_srcdir/tests/faultserver/fault.sh"
# shellcheck source=tests/integration/cli_read_common.sh
. "$top_srcdir/tests/integration/cli_read_common.sh"
trap 'fault_cleanup; cr_cleanup' EXIT

SCRIPTS=$top_srcdir/tests/faultserver/scripts
cr_account sub localhost "$LAB_SUBMISSION_PORT" starttls alice
cr_account fault 127.0.0.1 1 none
PW=$(lab_password alice)

# short_token: a unique token short enough to stay whole in a table's subject column
short_token()
{
	lab_token | sha1sum | cut -c1-10
}
printf 'Hello Bob,\nthe outbox test.\n' >"$CR_TMP/body.txt"

# --- 1. an empty cache ---
out=$(mb outbox 2>&1)
tap_is "$?" 0 "outbox on an empty cache: exit 0"
tap_like "$out" "has no queued or failed messages" "it says the outbox is empty"
out=$(mb transcript list 2>&1)
tap_like "$out" "no transcripts in the cache yet" "transcript list says there is none"

# --- 2. a message sent through the lab ---
tok=$(short_token)
mb send --account sub --to "bob@$LAB_DOMAIN" --subject "outbox $tok" --body "$CR_TMP/body.txt" \
	>"$CR_TMP/send.out" 2>&1
tap_is "$?" 0 "send through the lab's submission port: exit 0"
lab_wait_for_match bob "^Subject: outbox $tok" >/dev/null
tap_ok $? "bob got it"
id1=$(db "SELECT id FROM outbox WHERE hdr_subject = 'outbox $tok'")
sid1=$(db "SELECT id FROM sessions WHERE outbox_id = $id1")
tap_like "$id1:$sid1" '^[0-9]+:[0-9]+$' "the cache holds its outbox row and one session"

out=$(mb outbox)
tap_unlike "$out" "outbox $tok" "outbox (no --all) leaves out the sent message"
out=$(mb outbox --all)
tap_like "$out" "^ *$id1  sent +1  .*bob@$LAB_DOMAIN +outbox $tok" \
	"outbox --all: id, status sent, 1 attempt, recipient, subject"
tap_is "$(mb outbox list --all --account sub | grep -c "outbox $tok")" 1 \
	"outbox list --all --account sub lists it"
tap_is "$(mb outbox list --all --account nosuch | grep -c "outbox $tok")" 0 \
	"--account of another account leaves it out"

out=$(mb outbox show "$id1")
tap_is "$?" 0 "outbox show: exit 0"
tap_like "$out" "^Outbox message #$id1$" "outbox show: the heading"
tap_like "$out" "status: +sent after 1 attempt" "outbox show: status and attempts"
tap_like "$out" "MAIL FROM: +<alice@$LAB_DOMAIN>" "outbox show: the envelope sender"
tap_like "$out" "RCPT TO: +<bob@$LAB_DOMAIN>" "outbox show: the envelope recipient"
tap_like "$out" "^  accepted bob@$LAB_DOMAIN 250 " "outbox show: the per-recipient result"
tap_like "$out" "^  #$sid1  .* smtp localhost:$LAB_SUBMISSION_PORT  ok" \
	"outbox show: the linked transcript's id"
tap_like "$out" "mailbench transcript show $sid1" "outbox show: how to read it"

# --- 3. transcripts of that send ---
out=$(mb transcript list)
tap_like "$out" "^ *$sid1  [0-9-]+ [0-9:]+  smtp   sub +localhost:$LAB_SUBMISSION_PORT +[0-9.]+ s  #$id1 +ok" \
	"transcript list: id, start, protocol, account, server, outbox, result"
tap_is "$(mb transcript list --outbox "$id1" | tail -n +2 | wc -l)" 1 \
	"transcript list --outbox ID: only that message's session"
tap_is "$(mb transcript list --limit 1 | wc -l)" 2 "transcript list --limit 1: header and one row"
lines_wider 80 "$(COLUMNS=80 mb transcript list)" >"$CR_TMP/wide"
tap_is "$(cat "$CR_TMP/wide")" "" "transcript list fits 80 columns"

show=$(mb transcript show "$sid1")
tap_is "$?" 0 "transcript show: exit 0"
tap_like "$show" "^Transcript #$sid1: SMTP, account sub, localhost:$LAB_SUBMISSION_PORT \(starttls\)" \
	"transcript show: the session in the first line"
tap_like "$show" "^[0-9:.]+ C:  MAIL FROM:<alice@$LAB_DOMAIN>" "transcript show: lines as the live printer"
tap_like "$show" "^[0-9:.]+ S:  250 .*<- " "transcript show: replies with their meaning"
tap_like "$show" "C:  AUTH PLAIN <masked: user alice>" "transcript show: AUTH masked"
tap_unlike "$show" "$PW" "transcript show: no password"
tap_unlike "$show" $'\e' "transcript show: no escape sequence when not a terminal"
nlines=$(db "SELECT count(*) FROM transcript_lines WHERE session_id = $sid1")
tap_is "$(printf '%s\n' "$show" | grep -cE '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} ')" "$nlines" \
	"transcript show: every stored line"

text=$(mb transcript export "$sid1" --format text)
tap_is "$text" "$show" "export --format text is what show prints off a terminal"
md=$(mb transcript export "$sid1" --format markdown)
tap_is "$?" 0 "export --format markdown: exit 0"
tap_like "$md" "^# SMTP session #$sid1 \(account sub\)$" "markdown: a heading"
tap_like "$md" "^\| Protocol \| SMTP \|$" "markdown: protocol"
tap_like "$md" "^\| Account \| sub \|$" "markdown: account"
tap_like "$md" "^\| Server \| localhost:$LAB_SUBMISSION_PORT \|$" "markdown: host:port"
tap_like "$md" "^\| Security \| starttls \|$" "markdown: security"
tap_like "$md" "^\| Started \| [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} [+-][0-9]{4} \|$" "markdown: start"
tap_like "$md" "^\| Duration \| [0-9.]+ s \|$" "markdown: duration"
tap_like "$md" "^\| Result \| ok \|$" "markdown: result"
tap_like "$md" "^\| Error \| — \|$" "markdown: error (none)"
tap_like "$md" "^\| Time \| Who \| Line \| Meaning \|$" "markdown: the transcript table's header"
tap_like "$md" "^\| [0-9:.]+ \| C \| \`MAIL FROM:<alice@$LAB_DOMAIN>" "markdown: a client line in code"
tap_is "$(printf '%s\n' "$md" | grep -cE '^\| [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} \|')" "$nlines" \
	"markdown: one row per line"
tap_unlike "$md" "$PW" "markdown: no password"
out=$(mb transcript export "$sid1" --format markdown --output "$CR_TMP/report.md")
tap_like "$out" "written to '$CR_TMP/report.md' \(markdown" "export --output: says where"
tap_is "$(cat "$CR_TMP/report.md")" "$md" "export --output: the file holds the export"

# colour on a terminal only
tty=$(on_tty "$MAILBENCH" --config "$CR_CONFIG" --cache "$CR_CACHE" transcript show "$sid1")
tap_like "$tty" $'\e\\[3[0-9]m' "transcript show on a terminal: coloured"
tty=$(on_tty "$MAILBENCH" --no-color --config "$CR_CONFIG" --cache "$CR_CACHE" transcript show "$sid1")
tap_unlike "$tty" $'\e' "--no-color: no escape sequence on a terminal either"

# a sent message is never sent again
out=$(mb outbox retry "$id1" 2>&1)
tap_is "$?" 2 "retry of a sent message: refused (exit 2)"
tap_like "$out" "already sent .*deliver it twice" "the refusal says why"
tap_is "$(db "SELECT attempts FROM outbox WHERE id = $id1")" 1 "no new attempt recorded"
sleep 1
tap_is "$(lab_count_subject bob "outbox $tok")" 1 "bob has it exactly once"

# --- 4. a 451, then a retry that succeeds over a second connection ---
if fault_start "$SCRIPTS/smtp-4xx-then-ok.script" --timeout 60; then
	cr_set_port fault "$FAULT_PORT"
	tok=$(short_token)
	mb send --account fault --to "bob@$LAB_DOMAIN" --subject "fault $tok" \
		--body "$CR_TMP/body.txt" >"$CR_TMP/send2.out" 2>&1
	tap_is "$?" 7 "send refused with 451: exit 7"
	id2=$(db "SELECT id FROM outbox WHERE hdr_subject = 'fault $tok'")
	out=$(mb outbox)
	tap_like "$out" "^ *$id2  failed +1  .*bob@$LAB_DOMAIN +fault $tok" "outbox lists the failure"
	tap_like "$out" "451 4.3.0 Temporary failure" "with its error"
	out=$(mb outbox show "$id2")
	tap_like "$out" "last error: +refused: .*451 4.3.0" "outbox show: the last error and its kind"
	tap_like "$out" "Send it again: mailbench outbox retry $id2$" "outbox show: how to retry"
	out=$(mb outbox retry "$id2" 2>"$CR_TMP/retry.err")
	tap_is "$?" 0 "outbox retry: exit 0 once the server accepts"
	tap_like "$out" "^Retrying outbox message #$id2 \(attempt 2\)" "retry: says which attempt"
	tap_like "$out" "C:  MAIL FROM:<alice@$LAB_DOMAIN>" "retry: the live transcript"
	tap_like "$out" "Envelope \(what SMTP routed\) +Headers \(what people see\)" \
		"retry: the envelope summary"
	tap_like "$out" "^Sent: outbox message #$id2, 1 of 1 recipient" "retry: the result"
	tap_is "$(db "SELECT status || ' ' || attempts FROM outbox WHERE id = $id2")" "sent 2" \
		"the cache: sent after 2 attempts"
	tap_is "$(mb transcript list --outbox "$id2" | tail -n +2 | wc -l)" 2 \
		"both attempts' transcripts are linked"
	fault_wait 20
	tap_is "$?" 0 "the fault server saw both connections as scripted"
	tap_is "$(grep -c "^Subject: fault $tok" "$FAULT_RECORD")" 1 "the message body went out once"
else
	tap_ok 1 "fault server (451 then ok) started"
fi

# --- 5. reset after the final dot: the fate is unknown ---
if fault_start - --timeout 60 <<'EOF'; then
MAY-CLOSE
ON ^(?i:DATA)$
  SEND 354 End data with <CR><LF>.<CR><LF>
  EXPECT-DATA
  RESET
END
INCLUDE ${SCRIPTS}/lib/smtp-handlers.inc
SEND 220 faultserver.test ESMTP ready
SERVE
ACCEPT
INCLUDE ${SCRIPTS}/lib/smtp-handlers.inc
SEND 220 faultserver.test ESMTP ready
SERVE
EOF
	cr_set_port fault "$FAULT_PORT"
	tok=$(short_token)
	mb send --account fault --to "bob@$LAB_DOMAIN" --subject "unknown $tok" \
		--body "$CR_TMP/body.txt" >"$CR_TMP/send3.out" 2>&1
	tap_ok $(($? == 0)) "send with a reset after the dot fails"
	id3=$(db "SELECT id FROM outbox WHERE hdr_subject = 'unknown $tok'")
	out=$(mb outbox)
	tap_like "$out" "^ *$id3  unknown +1 " "outbox shows the status unknown"
	out=$(mb outbox show "$id3")
	tap_like "$out" "status: +unknown after 1 attempt\(s\) \(the server may have it" \
		"outbox show: the status unknown"
	tap_like "$(printf '%s' "$out" | tr -s ' \n' '  ')" "check before retrying with --confirm" \
		"outbox show explains what to do"
	err=$(mb outbox retry "$id3" 2>&1)
	tap_is "$?" 2 "retry without --confirm: refused (exit 2)"
	tap_like "$err" "may already have been delivered" "the refusal explains the risk"
	tap_like "$err" "mailbench outbox retry $id3 --confirm" "and how to go on"
	tap_is "$(grep -c "^Subject: unknown $tok" "$FAULT_RECORD")" 1 "no second copy went out"
	out=$(mb outbox retry "$id3" --confirm 2>&1)
	tap_is "$?" 0 "retry --confirm sends it"
	tap_is "$(db "SELECT status || ' ' || attempts FROM outbox WHERE id = $id3")" "sent 2" \
		"the cache: sent after 2 attempts"
	fault_wait 20
	tap_is "$?" 0 "the fault server ran as scripted"
	tap_is "$(grep -c "^Subject: unknown $tok" "$FAULT_RECORD")" 2 \
		"the confirmed retry sent the body again"
else
	tap_ok 1 "fault server (reset after the dot) started"
fi

# --- 6. the sender killed mid-send: recovered as unknown at the next start ---
if fault_start - --timeout 60 <<'EOF'; then
MAY-CLOSE
ON ^(?i:DATA)$
  SEND 354 End data with <CR><LF>.<CR><LF>
  EXPECT-DATA
  WAIT-CLOSE
END
INCLUDE ${SCRIPTS}/lib/smtp-handlers.inc
SEND 220 faultserver.test ESMTP ready
SERVE
EOF
	cr_set_port fault "$FAULT_PORT"
	tok=$(short_token)
	# mailbench itself in the background (not through the mb function: $! must be its pid)
	"$MAILBENCH" --config "$CR_CONFIG" --cache "$CR_CACHE" send --account fault \
		--to "bob@$LAB_DOMAIN" --subject "killed $tok" --body "$CR_TMP/body.txt" \
		>"$CR_TMP/killed.out" 2>&1 &
	pid=$!
	for _ in $(seq 100); do
		grep -q "C:  \.$" "$CR_TMP/killed.out" && break
		sleep 0.1
	done
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	id4=$(db "SELECT id FROM outbox WHERE hdr_subject = 'killed $tok'")
	tap_is "$(db "SELECT status FROM outbox WHERE id = $id4")" sending \
		"the killed sender left its row in 'sending'"
	out=$(mb outbox 2>"$CR_TMP/recover.err")
	tap_like "$(cat "$CR_TMP/recover.err")" "interrupted send are marked unknown" \
		"the next start recovers it and says so"
	tap_like "$out" "^ *$id4  unknown +1 " "outbox lists it as unknown"
	tap_like "$out" "interrupted" "with the reason"
	mb outbox retry "$id4" >/dev/null 2>&1
	tap_is "$?" 2 "retry without --confirm refused"
	fault_stop
else
	tap_ok 1 "fault server (never answers after the dot) started"
fi

# --- 7. nobody listening ---
cr_set_port fault "$FAULT_PORT" # the last fault server is gone: connection refused
tok=$(short_token)
mb send --account fault --to "bob@$LAB_DOMAIN" --subject "closed $tok" --body "$CR_TMP/body.txt" \
	>/dev/null 2>&1
tap_is "$?" 4 "send to a closed port: exit 4"
id5=$(db "SELECT id FROM outbox WHERE hdr_subject = 'closed $tok'")
out=$(mb outbox)
tap_like "$out" "^ *$id5  failed +1 " "outbox lists it as failed"
tap_like "$out" "connection: cannot connect to '127.0.0.1:$FAULT_PORT'" "with the connection error"
mb outbox retry "$id5" >"$CR_TMP/r5.out" 2>"$CR_TMP/r5.err"
tap_is "$?" 4 "retry to a closed port: exit 4, as send"
tap_like "$(cat "$CR_TMP/r5.err")" "^Send failed at connect" "the failure card on stderr"
tap_like "$(cat "$CR_TMP/r5.err")" "stays in the outbox as #$id5" "the card names the message"
tap_is "$(db "SELECT status || ' ' || attempts FROM outbox WHERE id = $id5")" "failed 2" \
	"the cache: failed after 2 attempts"

# --- 8. hostile server text ---
if fault_start - --timeout 30 <<'EOF'; then
SEND 220 faultserver.test \x1b]52;c;ZXZpbA==\x07 hello \x1b[2J\x1b]0;pwned\x07 ESMTP
EXPECT ^(?i:EHLO)\s
SEND 250 faultserver.test \x1b[31m red
EXPECT ^(?i:MAIL FROM:)
SEND 550 5.7.1 no \x1b[5m blink | pipe ` tick
MAY-CLOSE
WAIT-CLOSE
EOF
	cr_set_port fault "$FAULT_PORT"
	mb send --account fault --to "bob@$LAB_DOMAIN" --subject hostile --body "$CR_TMP/body.txt" \
		>/dev/null 2>&1
	sid=$(db "SELECT max(id) FROM sessions")
	out=$(mb transcript show "$sid")
	tap_unlike "$out" $'\e' "hostile replies: no escape byte in transcript show"
	tap_like "$out" 'S:  220 faultserver.test \^\[\]52;c;ZXZpbA==\^G hello' "shown as visible text"
	tty=$(on_tty "$MAILBENCH" --config "$CR_CONFIG" --cache "$CR_CACHE" transcript show "$sid")
	tap_unlike "$tty" $'\e\\]|\e\\[2J|\e\\[5m' "on a terminal: colours only, none of the server's"
	md=$(mb transcript export "$sid" --format markdown)
	tap_unlike "$md" $'\e' "markdown export: no escape byte"
	tap_like "$md" 'blink \\\| pipe' "markdown export: the pipe cannot break the table"
	fault_wait 10 >/dev/null
else
	tap_ok 1 "fault server (hostile replies) started"
fi

# --- 9. delete ---
sid5=$(db "SELECT max(id) FROM sessions WHERE outbox_id = $id5")
out=$(mb outbox delete "$id5")
tap_is "$?" 0 "outbox delete: exit 0"
tap_like "$out" "deleted outbox message #$id5" "it says what it deleted"
mb outbox show "$id5" >/dev/null 2>&1
tap_is "$?" 10 "the deleted message is gone (exit 10)"
mb outbox delete "$id5" >/dev/null 2>&1
tap_is "$?" 10 "deleting it again: exit 10"
mb transcript show "$sid5" >/dev/null
tap_is "$?" 0 "its transcripts stay"

# --- 10. usage and missing ids ---
check_exit()
{
	local want=$1 desc=$2
	shift 2
	mb "$@" >"$CR_TMP/x.out" 2>"$CR_TMP/x.err"
	tap_is "$?" "$want" "$desc"
}
check_exit 2 "outbox retry without ID: exit 2" outbox retry
check_exit 2 "outbox retry abc: exit 2" outbox retry abc
check_exit 10 "outbox retry of a missing ID: exit 10" outbox retry 999999
check_exit 10 "outbox show of a missing ID: exit 10" outbox show 999999
tap_like "$(cat "$CR_TMP/x.err")" "no outbox message 999999" "  with a clear message"
check_exit 2 "outbox frobnicate: exit 2" outbox frobnicate
check_exit 2 "outbox --bogus: exit 2" outbox --bogus
check_exit 10 "transcript show of a missing ID: exit 10" transcript show 999999
tap_like "$(cat "$CR_TMP/x.err")" "no transcript 999999" "  with a clear message"
check_exit 10 "transcript export of a missing ID: exit 10" transcript export 999999 --format markdown
check_exit 2 "transcript export --format pdf: exit 2" transcript export "$sid1" --format pdf
check_exit 2 "transcript list --limit x: exit 2" transcript list --limit x
check_exit 10 "transcript list --outbox of a missing message: exit 10" transcript list --outbox 999999
check_exit 1 "export to an unwritable file: exit 1" transcript export "$sid1" --output "$CR_TMP/no/such/dir/x"
check_exit 0 "outbox --help: exit 0" outbox --help
check_exit 0 "transcript --help: exit 0" transcript --help

cr_sanitizer_check
tap_done
