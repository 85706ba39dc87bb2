#!/bin/bash
# Integration: mailbench fetch against the lab's real Dovecot, IMAP (dave) and POP3
# (erin): byte-exact sources, incremental syncs, flags both ways, expunges,
# UIDVALIDITY changes, decoding, malformed mail, POP3 --delete and crashes.
. "$top_srcdir/tests/lab/fixture.sh"
. "$top_srcdir/tests/integration/common.sh"

mb_account dave-imap dave imap "$LAB_IMAP_PORT" starttls
mb_account erin-pop3 erin pop3 "$LAB_POP3_PORT" starttls
DOVEADM="doveadm -c $MAILBENCH_LAB_DIR/etc/dovecot/dovecot.conf"
SEND="$PY $top_srcdir/tests/integration/lab_send.py $LAB_SMTP_PORT"

# same_sources USER SQL-WHERE: every Maildir file of USER's INBOX is, line ends made CRLF,
# byte for byte the raw source of one cached message (and the counts agree)
same_sources()
{
	PYTHONPATH="$top_srcdir/tests/integration" "$PY" - "$MB_CACHE" "$(lab_maildir "$1")" "$2" <<'PYEOF'
import os, sqlite3, sys, mbsource
db, maildir, where = sys.argv[1:4]
con = sqlite3.connect(db)
raws = sorted(mbsource.source(db, con, r[0]) for r in con.execute(
    "select r.message_id from message_raw r join messages m on m.id = r.message_id "
    "join mailboxes b on b.id = m.mailbox_id where " + where))
files = []
for sub in ("new", "cur"):
    d = os.path.join(maildir, sub)
    for f in os.listdir(d):
        files.append(open(os.path.join(d, f), "rb").read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
files.sort()
if raws != files:
    print("# %d cached, %d in the Maildir" % (len(raws), len(files)))
    sys.exit(1)
PYEOF
}

# --- messages for dave, some of them hard ---
$DOVEADM expunge -u dave mailbox '*' all 2>/dev/null
$DOVEADM mailbox delete -u dave Lab 2>/dev/null
printf 'From: =?ISO-8859-1?Q?Andr=E9?= <andre@lab.test>\nTo: dave@lab.test\nSubject: =?ISO-8859-1?Q?caf=E9_cr=E8me?=\n\nlatin1\n' >"$MB_TMP/l1.eml"
printf 'From: taro@lab.test\nTo: dave@lab.test\nSubject: =?Shift_JIS?B?k/qWe4zq?=\n\nsjis\n' >"$MB_TMP/sj.eml"
printf 'From: u@lab.test\nTo: dave@lab.test\nSubject: =?UTF-8?B?0J/RgNC40LLQtdGC?= =?UTF-8?Q?_=E2=9C=93?=\n\nutf8\n' >"$MB_TMP/u8.eml"
printf 'Subject: broken \xff\xfe garbage\nContent-Type: multipart/mixed; boundary="never"\n\n--wrong\nno part\n' >"$MB_TMP/bad.eml"
$SEND dave@lab.test --count 5 --tag first "$MB_TMP/l1.eml" "$MB_TMP/sj.eml" "$MB_TMP/u8.eml" "$MB_TMP/bad.eml"
lab_wait_for_mail dave 9
tap_ok $? "nine messages delivered to dave"

# --- IMAP: a first sync ---
out=$(mb fetch --account dave-imap 2>&1)
tap_is "$?" 0 "the first IMAP fetch succeeds"
tap_like "$out" "9 new message" "and brings nine messages"
tap_is "$(db "select count(*) from messages")" 9 "nine rows in the cache"
same_sources dave "b.protocol = 'imap'"
tap_ok $? "every cached source equals its Maildir file byte for byte (CRLF)"
tap_is "$(db "select subject from messages where subject like 'caf%'")" "café crème" "an ISO-8859-1 subject decodes"
tap_is "$(db "select count(*) from messages where subject = '日本語'")" 1 "a Shift_JIS subject decodes"
tap_is "$(db "select count(*) from messages where subject = 'Привет ✓'")" 1 "a UTF-8 subject in two encoded words decodes"
tap_like "$(db "select subject from messages where subject like 'broken%'")" "^broken" \
	"a malformed message (8-bit garbage, broken boundary) is stored and listed"
tap_is "$(db "pragma integrity_check")" ok "the cache is sound"

# --- a second sync moves no message ---
out=$(mb fetch --account dave-imap --transcript 2>&1)
tap_like "$out" "0 new message" "a second fetch brings nothing"
tap_unlike "$out" "BODY\\[\\]" "and no message body crosses the wire"
tap_is "$(printf '%s\n' "$out" | grep -c 'C:  [0-9]* SELECT')" 1 "one SELECT"
tap_like "$out" "unchanged since the last sync" "CONDSTORE says nothing changed"

# --- new mail arrives on the next sync only ---
$SEND dave@lab.test --count 1 --tag second
lab_wait_for_mail dave 10
out=$(mb fetch --account dave-imap 2>&1)
tap_like "$out" "1 new message" "a new message comes with the next sync"
tap_is "$(db "select count(*) from messages")" 10 "ten rows"

# --- flags, both ways (UIDs go on growing across runs: take the cached ones) ---
inbox="m.mailbox_id = (select id from mailboxes where name = 'INBOX' and protocol = 'imap')"
u1=$(db "select uid from messages m where $inbox order by uid limit 1")
u2=$(db "select uid from messages m where $inbox order by uid limit 1 offset 1")
u3=$(db "select uid from messages m where $inbox order by uid limit 1 offset 2")
$DOVEADM flags add -u dave '\Flagged' mailbox INBOX uid "$u1"
out=$(mb fetch --account dave-imap 2>&1)
tap_like "$out" "1 flag change" "a flag set on the server is picked up"
tap_is "$(db "select flags & 4 from messages m where $inbox and uid = $u1")" 4 "that message is flagged in the cache"
id=$(db "select id from messages m where $inbox and uid = $u3")
out=$(mb mark "$id" read 2>&1)
tap_is "$?" 0 "mark read succeeds"
tap_like "$($DOVEADM fetch -u dave flags mailbox INBOX uid "$u3")" 'Seen' "the server has \\Seen on it"
tap_is "$(db "select flags & 1 from messages m where $inbox and uid = $u3")" 1 "and so has the cache"

# --- an expunge on the server ---
$DOVEADM expunge -u dave mailbox INBOX uid "$u2"
out=$(mb fetch --account dave-imap 2>&1)
tap_like "$out" "1 removed" "a message expunged on the server"
tap_is "$(db "select count(*) from messages m where $inbox and uid = $u2")" 0 "leaves the cache"
tap_is "$(db "select count(*) from messages m where $inbox")" 9 "the others stay"

# --- UIDVALIDITY changes: the mailbox is fetched again ---
$DOVEADM mailbox create -u dave Lab
for n in 1 2; do printf 'From: a@lab.test\nSubject: lab box %s\n\nx\n' $n | $DOVEADM save -u dave -m Lab; done
out=$(mb fetch --account dave-imap --mailbox Lab 2>&1)
tap_like "$out" "2 new message" "a second mailbox syncs"
$DOVEADM mailbox delete -u dave Lab
$DOVEADM mailbox create -u dave Lab
for n in 3 4 5; do printf 'From: a@lab.test\nSubject: lab box %s\n\nx\n' $n | $DOVEADM save -u dave -m Lab; done
sleep 1.1 # UIDVALIDITY is a Unix time: make sure it differs
$DOVEADM mailbox delete -u dave Lab
$DOVEADM mailbox create -u dave Lab
for n in 3 4 5; do printf 'From: a@lab.test\nSubject: lab box %s\n\nx\n' $n | $DOVEADM save -u dave -m Lab; done
out=$(mb fetch --account dave-imap --mailbox Lab --transcript 2>&1)
tap_like "$out" "UIDVALIDITY of 'Lab' changed" "a changed UIDVALIDITY is noticed"
tap_is "$(db "select group_concat(subject, ',') from (select m.subject from messages m join mailboxes b on b.id = m.mailbox_id where b.name = 'Lab' order by m.subject)")" \
	"lab box 3,lab box 4,lab box 5" "the mailbox holds exactly the new messages"
tap_is "$(db "select count(*) from messages m join mailboxes b on b.id = m.mailbox_id where b.name = 'INBOX' and b.protocol = 'imap'")" 9 \
	"INBOX is untouched"
out=$(mb fetch --account dave-imap --all 2>&1)
tap_is "$?" 0 "fetch --all walks every mailbox"

# --- an account fetched over both protocols has two INBOXes, told apart (own cache) ---
mb_account dave-both dave imap "$LAB_IMAP_PORT" starttls \
	"pop3_host = localhost" "pop3_port = $LAB_POP3_PORT" "pop3_security = starttls"
both() { MB_CACHE=$MB_TMP/both.db mb "$@"; }
both fetch --account dave-both >/dev/null 2>&1 && both fetch --account dave-both --protocol pop3 >/dev/null 2>&1
tap_is "$?" 0 "an account fetched over IMAP, then over POP3"
out=$(COLUMNS=100 both list --account dave-both --mailbox INBOX)
tap_is "$(printf '%s\n' "$out" | grep -c '  POP3 INBOX  ')" 9 "list names the POP3 INBOX so"
tap_is "$(printf '%s\n' "$out" | grep -c '  INBOX  ')" 9 "and the IMAP one INBOX"
tap_is "$(both list --account dave-both --protocol pop3 --format tsv | wc -l)" 9 \
	"list --protocol pop3 keeps the POP3 INBOX"
out=$(both list --account dave-both --protocol imap --search subject:broken --format json)
tap_is "$(printf '%s\n' "$out" | grep -c '"subject":"broken')" 1 "a search kept to IMAP finds one message"
tap_like "$out" '"protocol":"imap"' "and json says its protocol"
out=$(both list --account dave-both --mailbox Nope --protocol pop3 2>&1)
tap_is "$?" 10 "a mailbox not fetched over POP3: exit 10"
tap_like "$out" "no mailbox 'Nope' of account 'dave-both' fetched over POP3" "saying so"

# --- POP3 (erin) ---
$DOVEADM expunge -u erin mailbox '*' all 2>/dev/null
$SEND erin@lab.test --count 4 --tag pop
lab_wait_for_mail erin 4
out=$(mb fetch --account erin-pop3 --protocol pop3 --transcript 2>&1)
tap_is "$?" 0 "the first POP3 fetch succeeds"
tap_like "$out" "4 new message" "and brings four messages"
tap_like "$out" "C:  PASS <masked: password>|C:  AUTH PLAIN <masked: user erin>" "the password is masked"
tap_like "$out" "C:  RETR 1" "messages are retrieved with RETR"
same_sources erin "b.protocol = 'pop3'"
tap_ok $? "POP3 sources equal the Maildir files byte for byte"
out=$(mb fetch --account erin-pop3 --protocol pop3 2>&1)
tap_like "$out" "0 new message" "a second POP3 fetch brings nothing"
tap_is "$(lab_mail_count erin)" 4 "the messages stay on the server by default"

# a crash after RETR, before the commit: nothing is deleted, nothing lost
$SEND erin@lab.test --count 3 --tag crash
lab_wait_for_mail erin 7
MAILBENCH_TEST_CRASH=pop3-after-retr mb fetch --account erin-pop3 --protocol pop3 --delete >/dev/null 2>&1
tap_is "$?" 137 "a fetch --delete killed after a RETR dies (SIGKILL)"
tap_is "$(lab_mail_count erin)" 7 "nothing was deleted on the server"
tap_is "$(db "pragma integrity_check")" ok "the cache is sound after the kill"
# a crash after the DELEs, before QUIT: the server deletes nothing (RFC 1939)
MAILBENCH_TEST_CRASH=pop3-before-quit mb fetch --account erin-pop3 --protocol pop3 --delete >/dev/null 2>&1
tap_is "$?" 137 "a fetch --delete killed before QUIT dies"
tap_is "$(lab_mail_count erin)" 7 "the server still has every message"
out=$(mb fetch --account erin-pop3 --protocol pop3 --delete 2>&1)
tap_is "$?" 0 "fetch --delete then runs to its end"
tap_like "$out" "7 deleted on the server" "deleting what the cache holds"
tap_is "$(lab_mail_count erin)" 0 "the server's mailbox is empty"
tap_is "$(db "select count(*) from messages m join mailboxes b on b.id = m.mailbox_id where b.protocol = 'pop3'")" 7 \
	"the cache holds all seven, each once"

# --- the cache's disk fills in the middle of a POP3 fetch (messages are stored on a thread of
# their own while the next ones arrive): a clear error, nothing deleted, a sound cache, and
# the next fetch into that cache, given room, brings each message once ---
# 220 messages of 8 KB (1.8 MB, more than the disk's 1 MB): the first batch of 200 is
# committed by the store thread, while the protocol thread goes on receiving
"$PY" -c '
import base64, os, sys
for i in range(220):
    with open(os.path.join(sys.argv[1], "big%03d.eml" % i), "wb") as f:
        f.write(b"From: a@lab.test\r\nTo: erin@lab.test\r\nSubject: full %d\r\n\r\n" % i)
        data = base64.b64encode(os.urandom(6000))
        for k in range(0, len(data), 76):
            f.write(data[k:k + 76] + b"\r\n")
' "$MB_TMP"
$SEND erin@lab.test "$MB_TMP"/big*.eml
lab_wait_for_mail erin 220
mkdir -p "$MB_TMP/small" "$MB_TMP/full"
# a private mount namespace with a 1 MB tmpfs (root only: CI runs as root)
if unshare -m sh -c 'mount --make-rprivate / && mount -t tmpfs -o size=1m,mode=0700 tmpfs "$1"' \
	_ "$MB_TMP/small" 2>/dev/null; then
	unshare -m bash -c '
		mount --make-rprivate / && mount -t tmpfs -o size=1m,mode=0700 tmpfs "$1" || exit 99
		"$2" --config "$3" --cache "$1/cache.db" fetch --account erin-pop3 --protocol pop3 \
			--delete >"$4/full.out" 2>&1
		echo $? >"$4/full.rc"
		cp "$1"/cache.db* "$4/"' _ "$MB_TMP/small" "$MAILBENCH" "$MB_CONFIG" "$MB_TMP/full"
	MB_CACHE=$MB_TMP/full/cache.db
	tap_is "$(cat "$MB_TMP/full/full.rc")" 11 "a cache disk filling up mid-fetch: the store's exit code (11)"
	tap_like "$(cat "$MB_TMP/full/full.out")" "is full: no space left on device" "saying the disk is full"
	tap_like "$(cat "$MB_TMP/full/full.out")" ": 0 new message" "and counting no message as new"
	tap_is "$(lab_mail_count erin)" 220 "nothing was deleted on the server"
	tap_is "$(db "pragma integrity_check")" ok "the cache left on the full disk is sound"
	out=$(mb fetch --account erin-pop3 --protocol pop3 2>&1)
	tap_is "$?" 0 "a fetch into that cache, with room now, succeeds"
	tap_is "$(db "select count(*), count(distinct subject) from messages m join mailboxes b on b.id = m.mailbox_id where b.protocol = 'pop3' and m.subject like 'full %'")" "220	220" \
		"it holds the 220 messages, each once"
else
	tap_ok 0 "a cache disk filling up mid-fetch # SKIP needs root for a tmpfs in a private mount namespace"
fi

tap_done
