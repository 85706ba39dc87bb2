#!/bin/bash
# Integration: mailbench send against the lab's real SMTP server (Postfix as root,
# aiosmtpd otherwise): plain port, submission with STARTTLS + AUTH, implicit TLS;
# what arrives in the recipients' Maildirs; TLS and AUTH failures; secrets.
. "$top_srcdir/tests/lab/fixture.sh"
. "$top_srcdir/tests/integration/common.sh"

mb_account plain - smtp "$LAB_SMTP_PORT" none
mb_account sub alice smtp "$LAB_SUBMISSION_PORT" starttls
mb_account smtps alice smtp "$LAB_SMTPS_PORT" tls
mb_account otherca alice smtp "$LAB_SMTPS_PORT" tls
sed -i "/^\[account otherca\]/,/^$/ s|^ca_file = .*|ca_file = $LAB_OTHER_CA|" "$MB_CONFIG"
mb_account badpw alice smtp "$LAB_SUBMISSION_PORT" starttls
sed -i "/^\[account badpw\]/,/^$/ s|^password_command = .*|password_command = echo not-the-password|" "$MB_CONFIG"
PW=$(lab_password alice)
PW64=$(printf '\0alice\0%s' "$PW" | base64 -w0)

# --- 1. the plain port, as students use Mailpit's 1025 ---
tok=$(lab_token)
printf 'Hello Bob,\n.\n..two dots stay two\n.dot at start\ntrailing spaces   \nbye\n' >"$MB_TMP/body.txt"
out=$(mb send --account plain --to "Bob <bob@$LAB_DOMAIN>" --bcc "carol@$LAB_DOMAIN" \
	--subject "Lab $tok: Grüße, ünïcödé ✓" --body "$MB_TMP/body.txt" 2>&1)
tap_is "$?" 0 "send over the plain port succeeds (exit 0)"
tap_like "$out" "C:  MAIL FROM:<alice@$LAB_DOMAIN>" "the transcript shows MAIL FROM"
tap_like "$out" "C:  RCPT TO:<carol@$LAB_DOMAIN>" "the Bcc recipient is in the envelope"
tap_like "$out" "S:  354 " "the server's 354 is shown"
tap_like "$out" "DATA: [0-9]+ lines, [0-9 ]+ bytes" "the body is summarised"
tap_like "$out" "carol@$LAB_DOMAIN received this message but is in no header: a Bcc recipient" \
	"the envelope view names the Bcc recipient"
f=$(lab_wait_for_match bob "$tok")
tap_ok $? "the message reaches bob's Maildir"
if [ -n "$f" ]; then
	tap_is "$(maildir_part "$f" has-bcc)" no "no Bcc header in the delivered message"
	tap_is "$(maildir_part "$f" subject)" "Lab $tok: Grüße, ünïcödé ✓" "the UTF-8 subject decodes right"
	maildir_part "$f" body >"$MB_TMP/got.txt"
	cmp -s "$MB_TMP/body.txt" "$MB_TMP/got.txt"
	tap_ok $? "the body arrives byte for byte (dot lines intact, trailing spaces kept)"
	tap_unlike "$(cat "$f")" "carol@" "carol appears nowhere in bob's copy"
fi
f=$(lab_wait_for_match carol "$tok")
tap_ok $? "the Bcc recipient receives the message"

# --- 2. submission: STARTTLS, then AUTH ---
tok=$(lab_token)
out=$(mb send --account sub --to "bob@$LAB_DOMAIN" --subject "sub $tok" --body /dev/null 2>&1)
tap_is "$?" 0 "send on the submission port with STARTTLS + AUTH succeeds"
tap_like "$out" "C:  STARTTLS" "STARTTLS is sent"
tap_like "$out" "certificate verified: valid for 'localhost'" "the certificate is verified"
tap_like "$out" "capabilities learned before TLS are discarded" "pre-TLS capabilities are dropped"
tap_like "$out" "C:  AUTH PLAIN <masked: user alice>" "AUTH is shown masked"
tap_like "$out" "PIPELINING +commands may go in groups .*RFC 2920" "EHLO's extensions are explained, with their RFCs"
tap_like "$out" "AUTH PLAIN LOGIN +these authentication mechanisms are offered" "AUTH's mechanisms too"
tap_unlike "$out" "$PW" "the password is not printed"
tap_unlike "$out" "$PW64" "nor its base64"
lab_wait_for_match bob "$tok" >/dev/null
tap_ok $? "the authenticated message reaches bob"
mb send --account sub --to "bob@$LAB_DOMAIN" --subject "login $tok" --body /dev/null --auth LOGIN >"$MB_TMP/login.out" 2>&1
tap_is "$?" 0 "AUTH LOGIN works too"
tap_like "$(cat "$MB_TMP/login.out")" "C:  <masked: password>" "the LOGIN password answer is masked"

# --- 3. implicit TLS ---
tok=$(lab_token)
out=$(mb send --account smtps --to "bob@$LAB_DOMAIN" --subject "smtps $tok" --body /dev/null 2>&1)
tap_is "$?" 0 "send over implicit TLS (smtps) succeeds"
tap_like "$out" "implicit TLS" "the transcript says implicit TLS"

# --- 4. a 5 MB attachment and an HTML alternative ---
tok=$(lab_token)
head -c 5242880 /dev/urandom >"$MB_TMP/blob.bin"
printf '<p>Hello <b>HTML</b></p>\n' >"$MB_TMP/b.html"
out=$(echo "see attached" | mb send --account sub --to "bob@$LAB_DOMAIN" --subject "att $tok" \
	--html "$MB_TMP/b.html" --attach "$MB_TMP/blob.bin" --quiet 2>&1)
tap_is "$?" 0 "a message with a 5 MB attachment and HTML is sent"
f=$(lab_wait_for_match bob "att $tok" 20)
if [ -n "$f" ]; then
	maildir_part "$f" attachment >"$MB_TMP/blob.got"
	cmp -s "$MB_TMP/blob.bin" "$MB_TMP/blob.got"
	tap_ok $? "the attachment is identical after decoding"
	grep -qi '^Content-Type: multipart/alternative' "$f"
	tap_ok $? "the HTML alternative makes a multipart/alternative"
else
	tap_ok 1 "the attachment message arrived"
	tap_ok 1 "the HTML alternative makes a multipart/alternative"
fi

# --- 5. refusals ---
out=$(mb send --account otherca --to "bob@$LAB_DOMAIN" --subject x --body /dev/null 2>&1)
tap_is "$?" 5 "a certificate from another CA is refused (exit 5)"
tap_like "$out" "not trusted: it is signed by an unknown certificate authority" "saying why"
tap_unlike "$out" "C:  AUTH" "no AUTH was sent"
out=$(mb send --account badpw --to "bob@$LAB_DOMAIN" --subject x --body /dev/null 2>&1)
tap_is "$?" 6 "a wrong password gives the auth exit code (6)"
tap_like "$out" "535" "the 535 reply is quoted"
tap_like "$out" "wrong user or password" "with the usual causes"
out=$(mb send --account plain --to "bob@$LAB_DOMAIN, nobody@$LAB_DOMAIN" --subject x --body /dev/null 2>&1)
tap_is "$?" 8 "one unknown recipient of two: partial delivery (exit 8)"
tap_like "$out" "REFUSED  nobody@$LAB_DOMAIN \\(550" "the refused recipient is reported"
out=$(mb send --account plain --to "x@other.example" --subject x --body /dev/null 2>&1)
tap_is "$?" 7 "relaying refused for every recipient (exit 7)"
tap_like "$out" "Relay access denied" "the server's words are quoted"
out=$(mb send --account plain --to "bob@$LAB_DOMAIN" --subject "$(printf 'a\rb')" --body /dev/null 2>&1)
tap_is "$?" 2 "a CR in the subject is refused before sending (exit 2)"
out=$(mb send --account plain --to "$(printf 'bob@%s\r\nRCPT TO:<x@y>' "$LAB_DOMAIN")" --body /dev/null 2>&1)
tap_is "$?" 2 "a CRLF in an address is refused (exit 2)"

# --- 6. the envelope set apart: spoofing ---
tok=$(lab_token)
out=$(mb send --account plain --to "bob@$LAB_DOMAIN" --envelope-from "boss@corp.example" \
	--subject "spoof $tok" --body /dev/null 2>&1)
tap_is "$?" 0 "an envelope sender other than From: is accepted by SMTP"
tap_like "$out" "MAIL FROM:<boss@corp.example>" "MAIL FROM carries it"
tap_like "$out" "this is how spoofing works" "the summary explains it"
f=$(lab_wait_for_match bob "spoof $tok")
tap_like "$(grep -i '^Return-Path:' "$f")" "boss@corp.example" "the recipient's Return-Path shows the envelope sender"

# --- 7. ready-made files: one connection, Bcc header removed ---
tok=$(lab_token)
for n in 1 2 3; do
	printf 'From: Alice <alice@%s>\nTo: bob@%s\nBcc: carol@%s\nSubject: eml %s %s\n\nbody %s\n.\n' \
		"$LAB_DOMAIN" "$LAB_DOMAIN" "$LAB_DOMAIN" "$n" "$tok" "$n" >"$MB_TMP/m$n.eml"
done
out=$(mb send --account plain --eml "$MB_TMP/m1.eml" "$MB_TMP/m2.eml" "$MB_TMP/m3.eml" 2>&1)
tap_is "$?" 0 "three .eml files are sent"
tap_is "$(printf '%s\n' "$out" | grep -c 'C:  EHLO')" 1 "over one connection"
tap_like "$out" "C:  RSET" "with RSET between messages"
tap_like "$out" "3 of 3 message\\(s\\) sent" "all three are sent"
f=$(lab_wait_for_match bob "eml 2 $tok")
tap_is "$(maildir_part "$f" has-bcc)" no "the file's Bcc header is removed before sending"
lab_wait_for_match carol "eml 3 $tok" >/dev/null
tap_ok $? "and its Bcc recipient still receives it"

# --- 8. what the cache keeps ---
tap_is "$(db "select count(*) from outbox where status = 'sent'")" \
	"$(db "select count(*) from outbox where status = 'sent' and attempts = 1")" \
	"every sent message was sent once"
tap_like "$(db "select status, last_error_kind from outbox where last_error like '%535%'")" \
	"failed	auth" "the message refused by AUTH stays in the outbox as failed"
tap_like "$(db "select count(*) from transcript_lines")" "^[1-9][0-9]+$" "transcripts are stored"
grep -a -q -- "$PW" "$MB_CACHE" "$MB_CACHE-wal" 2>/dev/null
tap_ok $((! $?)) "the password is nowhere in the cache files"
grep -a -q -- "$PW64" "$MB_CACHE" "$MB_CACHE-wal" 2>/dev/null
tap_ok $((! $?)) "nor its base64"

tap_done
