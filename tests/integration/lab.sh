#!/bin/bash
# lab.sh (integration test): the mailbench lab itself: every port greets, STARTTLS/STLS is
# offered where promised, TLS verifies against the lab CA and not against the other CA,
# submission AUTH behaves, mail is delivered into the Maildirs Dovecot serves, bad
# recipients are refused at RCPT, IMAP and POP3 logins work, and a second lab in another
# state directory starts, stops (leaving no process) and starts again.  Clients: openssl,
# swaks and Python's smtplib/imaplib/poplib (this test checks the servers, not mailbench).
set -u

# shellcheck source=tests/lab/fixture.sh
. "${top_srcdir:?run me from make check, or set top_srcdir and top_builddir}/tests/lab/fixture.sh"

PY=/usr/bin/python3
H=127.0.0.1

# banner PORT: the first line a plain-text server sends
banner()
{
	local line
	line=$(timeout 5 bash -c 'exec 3<>"/dev/tcp/$1/$2" || exit 1
		IFS= read -r -t 5 l <&3; printf "%s" "$l"' _ "$H" "$1" 2>/dev/null)
	printf '%s\n' "${line%$'\r'}"
}

# tls_banner PORT: the first line a server sends over implicit TLS (verified by the lab CA)
tls_banner()
{
	$PY - "$H" "$1" "$LAB_CA" <<'EOF'
import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[3])
with socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10) as raw:
    with ctx.wrap_socket(raw, server_hostname="localhost") as s:
        print(s.makefile("rb").readline().decode().rstrip("\r\n"))
EOF
}

# tls_verify CAFILE PORT [STARTTLS-PROTO]: succeed when the TLS handshake verifies the
# server certificate for 'localhost' against CAFILE
tls_verify()
{
	local ca=$1 port=$2 proto=${3:-}
	local args=(-connect "$H:$port" -servername localhost -CAfile "$ca" -verify_return_error
		-verify_hostname localhost -brief)
	[ -n "$proto" ] && args+=(-starttls "$proto")
	timeout 10 openssl s_client "${args[@]}" </dev/null >/dev/null 2>&1
}

# --- the lab is up ----------------------------------------------------------------------------

out=$("$LAB_SH" status 2>&1)
tap_ok $? "lab.sh status exits 0 when every port is up"
tap_like "$out" 'all up' "lab.sh status says all up"
tap_unlike "$out" 'down' "lab.sh status lists no port as down"

out=$("$LAB_SH" start 2>&1)
tap_ok $? "lab.sh start on a running lab exits 0"
tap_like "$out" 'already running' "lab.sh start on a running lab says so"

for v in MAILBENCH_LAB_DIR MAILBENCH_LAB_BASE LAB_SMTP_PORT LAB_SUBMISSION_PORT LAB_SMTPS_PORT \
	LAB_IMAP_PORT LAB_IMAPS_PORT LAB_POP3_PORT LAB_POP3S_PORT LAB_CA LAB_OTHER_CA LAB_DOMAIN \
	LAB_USERS LAB_MAILDIR_alice LAB_MAILDIR_bob LAB_MAILDIR_carol; do
	[ -n "${!v:-}" ]
	tap_ok $? "lab.sh env sets $v"
done
tap_is "$LAB_SMTP_PORT" "$((MAILBENCH_LAB_BASE + 25))" "SMTP port is base+25"
tap_is "$LAB_IMAPS_PORT" "$((MAILBENCH_LAB_BASE + 993))" "IMAPS port is base+993"
tap_is "$LAB_USERS" "alice bob carol dave erin frank" "the users are alice bob carol (and dave erin frank for tests)"

# --- greetings ------------------------------------------------------------------------------

tap_like "$(banner "$LAB_SMTP_PORT")" '^220 ' "SMTP port greets with 220"
tap_like "$(banner "$LAB_SUBMISSION_PORT")" '^220 ' "submission port greets with 220"
tap_like "$(tls_banner "$LAB_SMTPS_PORT")" '^220 ' "smtps port greets with 220 over TLS"
tap_like "$(banner "$LAB_IMAP_PORT")" '^\* OK' "IMAP port greets with * OK"
tap_like "$(tls_banner "$LAB_IMAPS_PORT")" '^\* OK' "IMAPS port greets with * OK over TLS"
tap_like "$(banner "$LAB_POP3_PORT")" '^\+OK' "POP3 port greets with +OK"
tap_like "$(tls_banner "$LAB_POP3S_PORT")" '^\+OK' "POP3S port greets with +OK over TLS"

# --- STARTTLS offered, AUTH only where and when promised ---------------------------------------

caps=$($PY - "$H" "$LAB_SMTP_PORT" "$LAB_SUBMISSION_PORT" "$LAB_CA" <<'EOF'
import smtplib, ssl, sys
host, plain, sub, ca = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
ctx = ssl.create_default_context(cafile=ca)
for name, port in (("smtp", plain), ("submission", sub)):
    s = smtplib.SMTP(host, port, timeout=10)
    s.ehlo("test.lab.test")
    print(name, "before", " ".join(sorted(k.upper() for k in s.esmtp_features)))
    s.starttls(context=ctx)
    s.ehlo("test.lab.test")
    print(name, "after", " ".join(sorted(k.upper() for k in s.esmtp_features)),
          s.esmtp_features.get("auth", "").strip())
    s.quit()
EOF
)
tap_like "$(grep '^smtp before' <<<"$caps")" ' STARTTLS' "SMTP port offers STARTTLS"
tap_unlike "$(grep '^smtp ' <<<"$caps")" ' AUTH' "SMTP port offers no AUTH, before or after STARTTLS"
tap_like "$(grep '^submission before' <<<"$caps")" ' STARTTLS' "submission port offers STARTTLS"
tap_unlike "$(grep '^submission before' <<<"$caps")" ' AUTH' "submission offers no AUTH before STARTTLS"
tap_like "$(grep '^submission after' <<<"$caps")" 'AUTH.*(PLAIN.*LOGIN|LOGIN.*PLAIN)' \
	"submission offers AUTH PLAIN and LOGIN after STARTTLS"

imapcap=$($PY - "$H" "$LAB_IMAP_PORT" <<'EOF'
import imaplib, sys
i = imaplib.IMAP4(sys.argv[1], int(sys.argv[2]), timeout=10)
print(" ".join(i.capabilities))
i.logout()
EOF
)
tap_like "$imapcap" '(^| )STARTTLS( |$)' "IMAP port offers STARTTLS"

popcap=$($PY - "$H" "$LAB_POP3_PORT" <<'EOF'
import poplib, sys
p = poplib.POP3(sys.argv[1], int(sys.argv[2]), timeout=10)
print(" ".join(sorted(p.capa())))
p.quit()
EOF
)
tap_like "$popcap" '(^| )STLS( |$)' "POP3 port offers STLS"

# --- TLS verifies against the lab CA, not against the other CA ----------------------------------

for spec in "smtp $LAB_SMTP_PORT smtp" "submission $LAB_SUBMISSION_PORT smtp" \
	"smtps $LAB_SMTPS_PORT" "imap $LAB_IMAP_PORT imap" "imaps $LAB_IMAPS_PORT" \
	"pop3 $LAB_POP3_PORT pop3" "pop3s $LAB_POP3S_PORT"; do
	read -r name port proto <<<"$spec"
	tls_verify "$LAB_CA" "$port" "$proto"
	tap_ok $? "$name ($port): TLS verifies against the lab CA for localhost"
	tls_verify "$LAB_OTHER_CA" "$port" "$proto"
	[ $? != 0 ]
	tap_ok $? "$name ($port): TLS fails against other-ca.pem"
done

# --- SMTP replies -----------------------------------------------------------------------------

alice_pw=$(lab_password alice)
tap_like "$alice_pw" '^alice-[A-Za-z0-9]{10}$' "alice's password has the documented shape"
token=$(lab_token)

replies=$($PY - "$H" "$LAB_SMTP_PORT" "$LAB_SUBMISSION_PORT" "$LAB_SMTPS_PORT" "$LAB_CA" \
	"$alice_pw" "$LAB_DOMAIN" "$token" <<'EOF'
import base64, smtplib, ssl, sys
host, plain, sub, smtps, ca, pw, dom, token = sys.argv[1:]
ctx = ssl.create_default_context(cafile=ca)
def out(tag, r):
    print(tag, r[0], r[1].decode("utf-8", "replace").replace("\n", " "))
plain_b64 = lambda u, p: base64.b64encode(("\0%s\0%s" % (u, p)).encode()).decode()

s = smtplib.SMTP(host, int(plain), timeout=10)
s.ehlo("test." + dom)
out("plain-mail", s.docmd("MAIL", "FROM:<alice@%s>" % dom))
out("plain-unknown", s.docmd("RCPT", "TO:<nobody@%s>" % dom))
out("plain-relay", s.docmd("RCPT", "TO:<x@other.example>"))
out("plain-bob", s.docmd("RCPT", "TO:<bob@%s>" % dom))
body = ("From: alice@%s\r\nTo: bob@%s\r\nSubject: %s plain\r\nDate: Mon, 1 Jan 2024 "
        "00:00:00 +0000\r\nMessage-ID: <%s@%s>\r\n\r\nhello bob\r\n") % (
        dom, dom, token, token, dom)
out("plain-sent", s.data(body.encode()))
s.quit()

s = smtplib.SMTP(host, int(sub), timeout=10)
s.ehlo("test." + dom)
out("sub-mail-notls", s.docmd("MAIL", "FROM:<alice@%s>" % dom))
out("sub-auth-notls", s.docmd("AUTH", "PLAIN " + plain_b64("alice", pw)))
s.starttls(context=ctx)
s.ehlo("test." + dom)
out("sub-mail-noauth", s.docmd("MAIL", "FROM:<alice@%s>" % dom))
out("sub-rcpt-noauth", s.docmd("RCPT", "TO:<bob@%s>" % dom))
s.docmd("RSET")
out("sub-auth-bad", s.docmd("AUTH", "PLAIN " + plain_b64("alice", pw + "x")))
out("sub-auth-good", s.docmd("AUTH", "PLAIN " + plain_b64("alice", pw)))
s.docmd("MAIL", "FROM:<alice@%s>" % dom)
out("sub-relay", s.docmd("RCPT", "TO:<x@other.example>"))
s.quit()

s = smtplib.SMTP_SSL(host, int(smtps), context=ctx, timeout=10)
s.ehlo("test." + dom)
s.login("alice", pw)
refused = s.sendmail("alice@" + dom, ["carol@" + dom],
                     ("From: alice@%s\r\nTo: carol@%s\r\nSubject: %s smtps\r\n\r\nhi carol\r\n"
                      % (dom, dom, token)).encode())
print("smtps-sent", len(refused))
s.quit()
EOF
)
r() { grep "^$1 " <<<"$replies" | cut -d' ' -f2-; }
tap_like "$(r plain-unknown)" '^550 5\.1\.1 ' "plain port: unknown user nobody@ refused at RCPT with 550 5.1.1"
tap_like "$(r plain-relay)" '^554 5\.7\.1 .*[Rr]elay access denied' "plain port: other domain refused at RCPT (relay denied)"
tap_like "$(r plain-bob)" '^250 ' "plain port: bob@ accepted at RCPT without AUTH"
tap_like "$(r plain-sent)" '^250 ' "plain port: message accepted after DATA"
tap_like "$(r sub-mail-notls)" '^530 ' "submission: MAIL before STARTTLS refused with 530"
tap_like "$(r sub-auth-notls)" '^5[0-9][0-9] ' "submission: AUTH before STARTTLS refused"
tap_like "$(r sub-rcpt-noauth)" '^554 5\.7\.1 ' "submission: RCPT without AUTH refused with 554 5.7.1"
tap_like "$(r sub-auth-bad)" '^535 ' "submission: AUTH PLAIN with a wrong password fails with 535"
tap_like "$(r sub-auth-good)" '^235 ' "submission: AUTH PLAIN with alice's password succeeds (235)"
tap_like "$(r sub-relay)" '^554 5\.7\.1 ' "submission: other domain refused even after AUTH"
tap_is "$(r smtps-sent)" 0 "smtps: AUTH LOGIN then delivery to carol accepted"

# swaks agrees (a second, independent client)
swaks --server "$H:$LAB_SUBMISSION_PORT" -tls --tls-ca-path "$LAB_CA" --tls-verify \
	-a PLAIN -au alice -ap "$alice_pw" --from "alice@$LAB_DOMAIN" --to "bob@$LAB_DOMAIN" \
	--h-Subject "$token swaks" --timeout 10 >/dev/null 2>&1
tap_ok $? "swaks: STARTTLS (verified) + AUTH PLAIN + delivery to bob on submission"
out=$(swaks --server "$H:$LAB_SUBMISSION_PORT" -tls --tls-ca-path "$LAB_CA" -a PLAIN -au alice \
	-ap wrong --from "alice@$LAB_DOMAIN" --to "bob@$LAB_DOMAIN" --timeout 10 2>&1)
tap_like "$out" '^<[~*-]?\*+ +535 5\.7\.8 ' "swaks: a wrong password gets 535 5.7.8"

# --- delivery lands in the Maildirs Dovecot serves --------------------------------------------

f=$(lab_wait_for_match bob "^Subject: $token plain")
tap_ok $? "the message sent to bob on the plain port is in bob's Maildir"
if [ -n "$f" ]; then
	tap_like "$(lab_wait_for_file bob "^Subject: $token plain")" "^$LAB_MAILDIR_bob/(new|cur)/" \
		"... under LAB_MAILDIR_bob"
	tap_check "... with a Return-Path from the envelope" grep -q "^Return-Path: <alice@$LAB_DOMAIN>" "$f"
	want_uid=$(stat -c %u "$LAB_MAILDIR_bob")
	tap_is "$(stat -c %u "$f")" "$want_uid" "... owned by the Maildir's owner"
else
	for _ in 1 2 3; do tap_ok 1 "... (no message file)"; done
fi
lab_wait_for_match bob "^Subject: $token swaks" >/dev/null
tap_ok $? "the message swaks sent through submission is in bob's Maildir"
lab_wait_for_match carol "^Subject: $token smtps" >/dev/null
tap_ok $? "the message sent through smtps is in carol's Maildir"

# --- IMAP and POP3 with the secrets -----------------------------------------------------------

bob_pw=$(lab_password bob)
imap=$($PY - "$H" "$LAB_IMAP_PORT" "$LAB_IMAPS_PORT" "$LAB_CA" "$bob_pw" "$token" <<'EOF'
import imaplib, ssl, sys
host, port, sport, ca, pw, token = sys.argv[1:]
ctx = ssl.create_default_context(cafile=ca)
i = imaplib.IMAP4(host, int(port), timeout=10)
typ, _ = i.login("bob", pw)
print("login", typ)
i.select("INBOX", readonly=True)
typ, data = i.search(None, "SUBJECT", '"%s plain"' % token)
print("found", len(data[0].split()))
i.logout()
i = imaplib.IMAP4(host, int(port), timeout=10)
try:
    i.login("bob", pw + "x")
    print("badlogin OK")
except imaplib.IMAP4.error as e:
    print("badlogin NO")
i = imaplib.IMAP4(host, int(port), timeout=10)
i.starttls(ssl_context=ctx)
print("starttls-login", i.login("bob", pw)[0])
i.logout()
i = imaplib.IMAP4_SSL(host, int(sport), ssl_context=ctx, timeout=10)
print("imaps-login", i.login("bob@lab.test", pw)[0])
i.logout()
EOF
)
tap_like "$imap" 'login OK' "IMAP LOGIN bob with the secret works"
tap_like "$imap" 'found 1' "IMAP finds the message delivered to bob"
tap_like "$imap" 'badlogin NO' "IMAP LOGIN with a wrong password fails"
tap_like "$imap" 'starttls-login OK' "IMAP LOGIN after STARTTLS works"
tap_like "$imap" 'imaps-login OK' "IMAPS LOGIN as bob@lab.test works"

pop=$($PY - "$H" "$LAB_POP3_PORT" "$LAB_POP3S_PORT" "$LAB_CA" "$bob_pw" <<'EOF'
import poplib, ssl, sys
host, port, sport, ca, pw = sys.argv[1:]
ctx = ssl.create_default_context(cafile=ca)
p = poplib.POP3(host, int(port), timeout=10)
p.user("bob")
print("pass", p.pass_(pw).decode().split()[0])
print("stat", p.stat()[0])
p.quit()
p = poplib.POP3(host, int(port), timeout=10)
p.user("bob")
try:
    p.pass_(pw + "x")
    print("badpass +OK")
except poplib.error_proto as e:
    print("badpass", e.args[0].decode().split()[0])
p = poplib.POP3_SSL(host, int(sport), context=ctx, timeout=10)
p.user("bob")
print("pop3s", p.pass_(pw).decode().split()[0])
p.quit()
EOF
)
tap_like "$pop" 'pass \+OK' "POP3 USER/PASS bob with the secret works"
tap_like "$pop" 'stat [1-9]' "POP3 STAT shows bob's messages"
tap_like "$pop" 'badpass -ERR' "POP3 PASS with a wrong password fails"
tap_like "$pop" 'pop3s \+OK' "POP3S USER/PASS works"

# --- secrets and certificates ------------------------------------------------------------------

for u in $LAB_USERS; do
	tap_is "$(stat -c %a "$MAILBENCH_LAB_DIR/secrets/$u")" 600 "secrets/$u is mode 0600"
done
users_file=$MAILBENCH_LAB_DIR/etc/dovecot/users
grep -qF -- "$alice_pw" "$users_file"
[ $? = 1 ]
tap_ok $? "Dovecot's users file does not contain alice's password"
tap_check "Dovecot's users file holds SHA512-CRYPT hashes" grep -q '^alice:{SHA512-CRYPT}\$6\$' "$users_file"

ca=$MAILBENCH_LAB_DIR/ca
tap_check "server.pem verifies against ca.pem" openssl verify -CAfile "$LAB_CA" "$ca/server.pem"
openssl verify -CAfile "$LAB_OTHER_CA" "$ca/server.pem" >/dev/null 2>&1
[ $? != 0 ]
tap_ok $? "server.pem does not verify against other-ca.pem"
tap_like "$(openssl x509 -in "$ca/server.pem" -noout -ext subjectAltName 2>/dev/null | tr -d '\n ')" \
	'DNS:localhost,IPAddress:127\.0\.0\.1,IPAddress:0:0:0:0:0:0:0:1' "server.pem is for localhost, 127.0.0.1 and ::1"
tap_like "$(openssl x509 -in "$ca/wronghost.pem" -noout -ext subjectAltName 2>/dev/null | tr -d '\n ')" \
	'DNS:wrong\.example$' "wronghost.pem is for wrong.example"
tap_check "wronghost.pem is signed by the lab CA" openssl verify -CAfile "$LAB_CA" "$ca/wronghost.pem"
openssl verify -CAfile "$LAB_CA" "$ca/expired.pem" 2>&1 | grep -q 'certificate has expired'
tap_ok $? "expired.pem is signed by the lab CA and expired"
openssl x509 -in "$ca/expired.pem" -noout -checkend 0 >/dev/null 2>&1
[ $? != 0 ]
tap_ok $? "expired.pem's notAfter is in the past"
tap_is "$(openssl x509 -in "$ca/selfsigned.pem" -noout -subject -nameopt compat | sed 's/^subject=//')" \
	"$(openssl x509 -in "$ca/selfsigned.pem" -noout -issuer -nameopt compat | sed 's/^issuer=//')" \
	"selfsigned.pem is self-issued"
openssl verify -CAfile "$LAB_CA" "$ca/selfsigned.pem" >/dev/null 2>&1
[ $? != 0 ]
tap_ok $? "selfsigned.pem does not verify against the lab CA"
for k in ca other-ca server wronghost expired selfsigned; do
	[ -s "$ca/$k.pem" ] && [ -s "$ca/$k.key" ]
	tap_ok $? "ca/$k.pem and ca/$k.key exist"
done

# --- a second lab: seed, clear, stop (nothing left), restart ----------------------------------

L2=${top_builddir:-$PWD}/tests/lab-state-2
B2=$((MAILBENCH_LAB_BASE + 1000))
lab2() { MAILBENCH_LAB_DIR=$L2 MAILBENCH_LAB_BASE=$B2 "$LAB_SH" "$@"; }
lab2 stop >/dev/null 2>&1
start_ns=$(date +%s%N)
out=$(lab2 start 2>&1)
tap_ok $? "a second lab starts in another state directory on base $B2"
ms=$((($(date +%s%N) - start_ns) / 1000000))
[ "$ms" -lt 10000 ]
tap_ok $? "... in less than 10 s (${ms} ms)"
tap_like "$out" "127\.0\.0\.1|$((B2 + 25))" "... and prints a summary"
tap_check "the first lab is still all up" "$LAB_SH" status
out=$(lab2 seed 2>&1)
tap_ok $? "lab.sh seed delivers sample messages"
n=$(find "$L2/spool/mail/alice/Maildir/new" "$L2/spool/mail/alice/Maildir/cur" -type f | wc -l)
[ "$n" -ge 6 ] && [ "$n" -le 10 ]
tap_ok $? "alice has 6 to 10 seeded messages ($n)"
out=$(lab2 seed 2>&1)
n2=$(find "$L2/spool/mail/alice/Maildir/new" "$L2/spool/mail/alice/Maildir/cur" -type f | wc -l)
tap_is "$n2" "$n" "a second seed into a non-empty INBOX adds nothing"
grep -lq '^Content-Type: multipart/alternative' "$L2"/spool/mail/alice/Maildir/new/*
tap_ok $? "the seeded messages include a multipart/alternative one"
grep -lq '^Subject: =?utf-8?' "$L2"/spool/mail/alice/Maildir/new/*
tap_ok $? "the seeded messages include an RFC 2047 subject"
grep -lq '^Return-Path: <mallory@' "$L2"/spool/mail/alice/Maildir/new/*
tap_ok $? "the seeded messages include one whose envelope sender differs from From:"
MAILBENCH_LAB_DIR=$L2 lab_clear_mailbox alice
tap_ok $? "lab_clear_mailbox alice succeeds"
tap_is "$(MAILBENCH_LAB_DIR=$L2 lab_mail_count alice)" 0 "... and empties alice's INBOX"

# every process of the second lab, found through its pid files, before stopping it
pids=
pidfiles=$(MAILBENCH_LAB_DIR=$L2 bash "$LAB_SH" env | sed -n 's/^LAB_PID_FILES="\(.*\)"$/\1/p')
for pf in $pidfiles; do
	[ -r "$pf" ] || continue
	p=$(tr -dc 0-9 <"$pf")
	[ -n "$p" ] || continue
	pids="$pids $p $(ps -e -o pid=,ppid= | awk -v p="$p" '$2 == p { print $1 }')"
done
[ -n "$pids" ]
tap_ok $? "the second lab has server processes"
lab2 stop >/dev/null 2>&1
tap_ok $? "lab.sh stop exits 0"
left=
for p in $pids; do
	st=$(ps -o stat= -p "$p" 2>/dev/null) || continue
	case $st in Z*) ;; *) left="$left $p" ;; esac
done
tap_is "$left" "" "lab.sh stop leaves no process of that lab"
lab2 status >/dev/null 2>&1
tap_is "$?" 3 "lab.sh status exits 3 when the lab is stopped"
lab2 stop >/dev/null 2>&1
tap_ok $? "lab.sh stop on a stopped lab exits 0"
tap_check "the first lab is still all up after the second one stopped" "$LAB_SH" status
lab2 start -q
tap_ok $? "the second lab starts again after a stop"
tap_check "... with every port up" lab2 status
lab2 stop >/dev/null 2>&1

tap_done
