#!/bin/bash
# Integration: kill -9 at random moments during an IMAP sync (2 000 messages), a POP3
# fetch --delete and SMTP sends, against the lab (user frank). Afterwards the cache is
# sound, every message is either cached or still on the server, nothing acknowledged
# by the SMTP server is sent twice, and nothing unacknowledged is marked sent.
. "$top_srcdir/tests/lab/fixture.sh"
. "$top_srcdir/tests/integration/common.sh"

mb_account frank-imap frank imap "$LAB_IMAP_PORT" starttls
mb_account frank-pop3 frank pop3 "$LAB_POP3_PORT" starttls
mb_account frank-smtp - smtp "$LAB_SMTP_PORT" none
DOVEADM="doveadm -c $MAILBENCH_LAB_DIR/etc/dovecot/dovecot.conf"
SEND="$PY $top_srcdir/tests/integration/lab_send.py $LAB_SMTP_PORT"
ROUNDS=${MB_CRASH_ROUNDS:-20}
# the binary itself (not the mb function), so that kill -9 reaches it
MBX=("$MAILBENCH" --config "$MB_CONFIG" --cache "$MB_CACHE")
N=2000

# rand_delay MAX_MS: sleep a random time up to MAX_MS milliseconds
rand_delay()
{
	sleep "$(awk -v r=$RANDOM -v m="$1" 'BEGIN { printf "%.3f", r % m / 1000 }')"
}

# kill_during MAX_MS CMD...: start CMD, kill -9 it after a random delay (if still running)
kill_during()
{
	local max=$1 pid
	shift
	"$@" >/dev/null 2>&1 &
	pid=$!
	rand_delay "$max"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

count_where() { db "select count(*) from messages m join mailboxes b on b.id = m.mailbox_id where $1"; }

# --- IMAP: 2 000 messages, killed again and again ---
$DOVEADM expunge -u frank mailbox '*' all 2>/dev/null
$SEND frank@lab.test --count $N --tag crash
lab_wait_for_mail frank $N 120
tap_ok $? "$N messages delivered to frank"
kills=0
for r in $(seq 1 "$ROUNDS"); do
	kill_during 700 "${MBX[@]}" fetch --account frank-imap
	kills=$((kills + 1))
	[ "$(db "pragma integrity_check")" = ok ] || break
done
tap_is "$(db "pragma integrity_check")" ok "after $kills kills during IMAP syncs the cache is sound"
partial=$(count_where "b.protocol = 'imap'")
tap_diag "the killed syncs cached $partial of $N messages"
out=$(mb fetch --account frank-imap 2>&1)
tap_is "$?" 0 "a sync after the kills finishes"
tap_is "$(count_where "b.protocol = 'imap'")" $N "exactly $N messages cached"
tap_is "$(db "select count(distinct uid) from messages m join mailboxes b on b.id = m.mailbox_id where b.protocol = 'imap'")" $N \
	"no duplicates"
tap_is "$(db "select count(*) from messages m join message_raw r on r.message_id = m.id")" \
	"$(db "select count(*) from messages")" "every message has its source"
# the search index, a database of its own written by a thread of its own, killed with it
tap_is "$("$PY" -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("pragma integrity_check").fetchone()[0])' "$MB_CACHE-fts")" ok \
	"the search index is sound after the kills"
tap_is "$(mb list --account frank-imap --search "subject:crash" --format tsv | grep -c "	crash [0-9]*	")" $N \
	"a search finds every message the killed syncs and the last one stored"
# the sources file: every record whole, and what killed syncs appended past their last commit
# cut off by the sync that came after
PYTHONPATH="$top_srcdir/tests/integration" "$PY" - "$MB_CACHE" <<'PYEOF'
import os, sqlite3, sys, mbsource
db = sys.argv[1]
con = sqlite3.connect(db)
bad = 0
for (mid,) in con.execute("select message_id from message_raw"):
    if b"\r\nSubject: crash " not in mbsource.source(db, con, mid):
        bad += 1
end = con.execute("select value from meta where key = 'sources_end'").fetchone()[0]
size = os.path.getsize(db + "-sources")
print("# %d bad sources; sources file %d bytes, committed end %d" % (bad, size, end))
sys.exit(0 if bad == 0 and size == end else 1)
PYEOF
tap_ok $? "every source reads whole, and nothing lies past the committed end"

# --- POP3 --delete, killed again and again: nothing is ever lost ---
$DOVEADM expunge -u frank mailbox '*' all 2>/dev/null
P=300
$SEND frank@lab.test --count $P --tag popcrash
lab_wait_for_mail frank $P 60
kills=0
for r in $(seq 1 "$ROUNDS"); do
	kill_during 400 "${MBX[@]}" fetch --account frank-pop3 --protocol pop3 --delete
	kills=$((kills + 1))
done
tap_is "$(db "pragma integrity_check")" ok "after $kills kills during POP3 fetch --delete the cache is sound"
"$PY" - "$MB_CACHE" "$(lab_maildir frank)" "$P" <<'PYEOF'
import os, re, sqlite3, sys
db, md, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
con = sqlite3.connect(db)
cached = {r[0] for r in con.execute("select m.message_id from messages m join mailboxes b on b.id = m.mailbox_id where b.protocol = 'pop3'")}
server = set()
for sub in ("new", "cur"):
    for f in os.listdir(os.path.join(md, sub)):
        m = re.search(rb"^Message-ID: (<[^>]*>)", open(os.path.join(md, sub, f), "rb").read(), re.M | re.I)
        server.add(m.group(1).decode())
both = cached | server
print("# cached %d, on the server %d, together %d of %d" % (len(cached), len(server), len(both), want))
sys.exit(0 if len(both) == want else 1)
PYEOF
tap_ok $? "every message is in the cache or still on the server"
out=$(mb fetch --account frank-pop3 --protocol pop3 --delete 2>&1)
tap_is "$?" 0 "a fetch --delete after the kills finishes"
tap_is "$(count_where "b.protocol = 'pop3'")" $P "all $P messages are cached, each once"
tap_is "$(lab_mail_count frank)" 0 "and deleted on the server"

# --- SMTP: sends killed at random moments ---
$DOVEADM expunge -u frank mailbox '*' all 2>/dev/null
for r in $(seq 1 "$ROUNDS"); do
	printf 'From: alice@lab.test\nTo: frank@lab.test\nMessage-ID: <smtpcrash-%s@lab.test>\nSubject: smtp crash %s\n\nround %s\n' \
		"$r" "$r" "$r" >"$MB_TMP/s$r.eml"
	kill_during 40 "${MBX[@]}" send --account frank-smtp --eml "$MB_TMP/s$r.eml"
done
# one more, killed exactly between the final dot and the server's reply
printf 'From: alice@lab.test\nTo: frank@lab.test\nMessage-ID: <smtpcrash-dot@lab.test>\nSubject: smtp crash dot\n\nafter the dot\n' >"$MB_TMP/sdot.eml"
MAILBENCH_TEST_CRASH=smtp-after-dot mb send --account frank-smtp --eml "$MB_TMP/sdot.eml" >/dev/null 2>&1
tap_is "$?" 137 "a send killed after the final dot dies"
sleep 1
# any command that opens the cache recovers interrupted sends
mb fetch --account frank-imap >/dev/null 2>&1
tap_is "$(db "pragma integrity_check")" ok "the cache is sound after $((ROUNDS + 1)) killed sends"
tap_is "$(db "select count(*) from outbox where status = 'sending'")" 0 \
	"no message is left 'sending' once the senders are gone"
lab_wait_for_mail frank 1 10 >/dev/null
"$PY" - "$MB_CACHE" "$(lab_maildir frank)" <<'PYEOF'
import os, re, sqlite3, sys, collections
db, md = sys.argv[1], sys.argv[2]
con = sqlite3.connect(db)
rows = {}
for raw, status, interrupted in con.execute("select raw, status, interrupted from outbox"):
    m = re.search(rb"Message-ID: (<[^>]*>)", raw)
    rows[m.group(1).decode()] = (status, interrupted)
got = collections.Counter()
for sub in ("new", "cur"):
    for f in os.listdir(os.path.join(md, sub)):
        m = re.search(rb"^Message-ID: (<[^>]*>)", open(os.path.join(md, sub, f), "rb").read(), re.M | re.I)
        got[m.group(1).decode()] += 1
bad = 0
for mid, n in got.items():
    if n > 1:
        print("# %s delivered %d times" % (mid, n)); bad += 1
for mid, (status, interrupted) in rows.items():
    if status == "sent" and got[mid] != 1:
        print("# %s marked sent but delivered %d times" % (mid, got[mid])); bad += 1
    if got[mid] and status != "sent" and not interrupted:
        print("# %s delivered but marked %s without 'unknown'" % (mid, status)); bad += 1
sent = sum(1 for s, _ in rows.values() if s == "sent")
print("# %d sends: %d marked sent, %d delivered, %d of unknown fate" % (len(rows), sent, len(got), sum(1 for _, i in rows.values() if i)))
sys.exit(1 if bad else 0)
PYEOF
tap_ok $? "nothing sent twice, nothing unacknowledged marked sent, acknowledged-unrecorded ones marked unknown"
tap_is "$(db "select status || ' ' || interrupted from outbox where cast(raw as text) like '%smtpcrash-dot%'")" "failed 1" \
	"the send killed after its dot is 'unknown', never retried by itself"

tap_done
