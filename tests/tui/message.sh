#!/bin/bash
# message.sh: messages delivered by the lab's real SMTP server (stored into the cache by
# tests/tui/tui_seed, standing in for F until the IMAP/POP3 sync lands) open in the
# message view: decoded headers and body, the Trace tab (Return-Path, Delivered-To, the
# Received hops with their times), the raw view with its line ends, the envelope view
# naming a Bcc-like recipient, and an attachment saved under a safe name, inside the
# chosen directory only.
set -u
. "$top_srcdir/tests/lab/fixture.sh"
. "$top_srcdir/tests/tui/lib.sh"

token=$(lab_token)
csv=$TUI_TMP/report.csv
printf 'name,score\nalice,%s\n' "$token" >"$csv"
swaks --server "$LAB_HOST:$LAB_SMTP_PORT" --from "bob@$LAB_DOMAIN" --to "alice@$LAB_DOMAIN" \
	--h-From "Bob <bob@$LAB_DOMAIN>" --h-Subject "tui $token plain" \
	--body "Hello from the TUI test $token." >/dev/null 2>&1
plain=$(lab_wait_for_match alice "^Subject: tui $token plain")
tap_ok $? "the lab delivered the plain message"
swaks --server "$LAB_HOST:$LAB_SMTP_PORT" --from "bob@$LAB_DOMAIN" --to "alice@$LAB_DOMAIN" \
	--h-From "Bob <bob@$LAB_DOMAIN>" --h-To "Carol <carol@$LAB_DOMAIN>" \
	--h-Subject "tui $token attached" --body "The report is attached." \
	--attach-type text/csv --attach-name "../../../etc/passwd" --attach "@$csv" >/dev/null 2>&1
attached=$(lab_wait_for_match alice "^Subject: tui $token attached")
tap_ok $? "the lab delivered the message with an attachment"
[ -n "$plain" ] && [ -n "$attached" ] || tap_bail "no delivered messages to show"
tui_seed lab "$plain" "$attached" || tap_bail "cannot store the messages in the cache"

tui_start 140 30 --account lab
tui_wait "tui $token plain"
tap_ok $? "both messages are in the list"
tui_snap list
# the newest first: the attached message is row 1, the plain one row 2
tui_keys Down Enter
tui_wait "Hello from the TUI test $token"
tap_ok $? "Enter opens the message with its body"
tui_snap message
tap_like "$TUI_LAST" "From: +Bob <bob@$LAB_DOMAIN>" "the From header is decoded"
tap_like "$TUI_LAST" "Subject: +tui $token plain" "the Subject header"
tap_like "$TUI_LAST" 'Date: +[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4}' "the Date header"

tui_keys 4
tui_wait 'Received hops, oldest first'
tap_ok $? "4 opens the Trace tab"
tui_snap trace
tap_like "$TUI_LAST" "Return-Path +<bob@$LAB_DOMAIN>" "Trace: the envelope sender"
tap_like "$TUI_LAST" "Delivered-To +alice@$LAB_DOMAIN" "Trace: the envelope recipient"
tap_like "$TUI_LAST" ' 1  [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} ' "Trace: hop 1 with its time"
tap_like "$TUI_LAST" 'by +mail\.lab\.test' "Trace: the server that received it"
tap_like "$TUI_LAST" "for +<alice@$LAB_DOMAIN>" "Trace: the recipient the hop was for"
tap_like "$TUI_LAST" 'Authentication-Results \(0\)' "Trace: the authentication results (none here)"

tui_keys 3
tui_wait 'bytes .* as stored'
tap_ok $? "3 opens the raw view"
tui_snap raw
tap_like "$TUI_LAST" "Return-Path: <bob@$LAB_DOMAIN>␊" "raw: the first line with its bare LF shown"
tap_like "$TUI_LAST" "Subject: tui $token plain␊" "raw: every line end is visible"

tui_keys e
tui_wait 'Envelope versus headers'
tap_ok $? "e opens the envelope view"
tui_snap envelope
tap_like "$TUI_LAST" "MAIL FROM:<bob@$LAB_DOMAIN> += From: Bob <bob@$LAB_DOMAIN>" \
	"envelope: MAIL FROM beside From, the same"
tap_like "$TUI_LAST" "RCPT TO:<alice@$LAB_DOMAIN> += To: alice@$LAB_DOMAIN" \
	"envelope: RCPT TO beside To, the same"
tap_like "$TUI_LAST" 'agree' "envelope: they agree"
tui_keys q q
tui_wait "tui $token attached"

# the attached message: To carol, delivered to alice: the envelope explains it
tui_keys Up Enter
tui_wait "tui $token attached"
tui_keys e
tui_wait 'Envelope versus headers'
tui_snap envelope-bcc
tap_like "$TUI_LAST" "alice@$LAB_DOMAIN received this copy but is in no header" \
	"envelope: a recipient in no header is explained (Bcc)"
tap_like "$TUI_LAST" "carol@$LAB_DOMAIN> is in the headers but this copy was not delivered" \
	"envelope: a header recipient not in this envelope is explained"
tap_like "$TUI_LAST" '2 differences' "envelope: two differences counted"
tui_keys q

tui_keys 2
tui_wait 'text/csv'
tap_ok $? "2 lists the MIME parts"
tui_snap parts
tap_like "$TUI_LAST" 'root +multipart/mixed +\(2 parts\)' "parts: the multipart root"
tap_like "$TUI_LAST" '1 +text/plain +[a-z0-9-]+ +[a-z0-9-]+ +[0-9]+' \
	"parts: the text part with encoding, charset, size"
tap_like "$TUI_LAST" '2 +text/csv .*passwd.*\[attachment\]' "parts: the attachment with its name"

mkdir -p "$TUI_TMP/save"
ln -s "$TUI_TMP/outside" "$TUI_TMP/save/passwd-1"
tui_keys j j s
tui_wait "Save 'passwd' to directory"
tap_ok $? "s offers the safe name: no path, no dots"
tui_keys C-u
tui_type "$TUI_TMP/save"
tui_keys Enter
tui_wait "saved 'passwd'"
tap_ok $? "the attachment is saved"
tap_is "$(cat "$TUI_TMP/save/passwd" 2>/dev/null)" "$(cat "$csv")" "the saved file holds the attachment"
tui_keys s
# (the end of the field: a deep build tree's path is scrolled)
tui_wait "Save 'passwd' to directory: .*${TUI_TMP##*/}/save( |\$)"
tap_ok $? "the directory is remembered"
tui_keys Enter
tui_wait "saved 'passwd-2'"
tap_ok $? "a taken name and a symlink are both skipped: passwd-2"
tap_ok "$([ ! -e "$TUI_TMP/outside" ] && echo 0 || echo 1)" "nothing was written through the link"
tap_is "$(stat -c %a "$TUI_TMP/save/passwd-2" 2>/dev/null)" 600 "saved files are private (0600)"
tui_snap saved
tap_is "$(find "$TUI_TMP" -name passwd\* -newer "$csv" | sort | tr '\n' ' ')" \
	"$TUI_TMP/save/passwd $TUI_TMP/save/passwd-1 $TUI_TMP/save/passwd-2 " \
	"nothing was written outside the chosen directory"

tui_keys q q
tui_wait_exit
tap_is "$TUI_EXIT" 0 "q, q quits with 0"
tap_done
