#!/bin/bash
# fetch_bench.sh: retrieving a 10 000-message INBOX (about 300 MB) over IMAP and POP3,
# issue 4.8. Not a test: it prints figures and compares them with the goals. The mailbox is
# generated once (tests/bench/gen_mailbox.py: deterministic, realistic sizes) straight into
# alice's Maildir in the benchmark lab, which never is a test lab. In each round, plain
# protocols on loopback, whole processes (start-up and login included):
#
#   IMAP full   raw client (LOGIN, SELECT, one UID FETCH 1:* BODY.PEEK[], data discarded),
#               mailbench fetch into an empty cache (parsed, stored, full-text indexed),
#               mbsync into an empty Maildir (its defaults: fsync per message)
#   IMAP again  mailbench fetch and mbsync once more, nothing changed on either side
#   POP3        raw client (RETR pipelined 64 deep, data discarded), mailbench fetch
#               --protocol pop3 into an empty cache, fetchmail (keep, fetchall, an MDA that
#               discards)
#
# Goals: IMAP full sync no slower than mbsync; no-change re-sync within 1.5x of mbsync's;
# POP3 within 2x of the raw client; mailbench's peak RSS under 64 MB. Run it with
# `make bench-fetch` (or `make bench`), or:
#
#     top_srcdir=. top_builddir=BUILD MAILBENCH=BUILD/mailbench tests/bench/fetch_bench.sh
#
# BENCH_MESSAGES (10000) changes the mailbox; see lib.sh for the lab and the rounds.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

n=${BENCH_MESSAGES:-10000}
case $n in
'' | *[!0-9]*) die "BENCH_MESSAGES must be a number" ;;
esac
[ "$n" -ge 1 ] && [ "$n" -le 200000 ] || die "BENCH_MESSAGES must be 1 to 200000"
need mbsync isync
need fetchmail fetchmail
need doveadm dovecot-core
[ -x "$RAWCLIENT" ] || die "cannot find '$RAWCLIENT' (make tests/bench/rawclient)"
bench_lab_start
md=$LAB_MAILDIR_alice
secret=$LAB_SECRETS_DIR/alice

# --- the mailbox: generated once per lab directory, kept while its description holds ---
marker=$BENCH_LAB_DIR/bench-mailbox
want="$n seed 1 $(sha256sum "$BENCH_DIR/gen_mailbox.py" | cut -c1-16)"
if [ "$(cat "$marker" 2>/dev/null)" != "$want" ] || [ "$(inbox_count alice)" != "$n" ]; then
	echo "generating $n messages into alice's INBOX ($md)"
	rm -f "$marker"
	find "$md/cur" "$md/new" -maxdepth 1 -type f -delete
	rm -f "$md"/dovecot.index* "$md"/dovecot-uidlist "$md"/dovecot-keywords
	$PY "$BENCH_DIR/gen_mailbox.py" "$md" --count "$n" --uid "$(stat -c %u "$md")" \
		--gid "$(stat -c %g "$md")" >/dev/null || die "cannot generate the mailbox"
	echo "$want" >"$marker"
fi
status=$($DOVEADM mailbox status -u alice 'messages vsize' INBOX) ||
	die "cannot read alice's INBOX with doveadm"
case $status in
*"messages=$n "*) ;;
*) die "alice's INBOX is not as generated: $status" ;;
esac
vsize=${status##*vsize=}
# POP3 marks what it retrieved \Seen (Dovecot writes the flags at QUIT): every client starts
# from unseen mail, or the ones after the first would not pay for that write
unseen()
{
	$DOVEADM flags remove -u alice '\Seen' mailbox INBOX all || die "cannot reset the flags"
}
unseen

bench_config "$BENCH_TMP/config"
cat >"$BENCH_TMP/mbsyncrc" <<EOF
IMAPAccount bench
Host 127.0.0.1
Port $LAB_IMAP_PORT
User alice
PassCmd "cat $secret"
SSLType None
AuthMechs LOGIN

IMAPStore far
Account bench

MaildirStore near
Path $BENCH_TMP/maildir/
Inbox $BENCH_TMP/maildir/INBOX

Channel bench
Far :far:
Near :near:
Patterns INBOX
Create Near
Expunge None
SyncState *
EOF
mkdir -p "$BENCH_TMP/fetchmail"
cat >"$BENCH_TMP/fetchmail/rc" <<EOF
set no bouncemail
set no syslog
poll 127.0.0.1 service $LAB_POP3_PORT protocol pop3 auth password
    user "alice" password "$(cat "$secret")"
    options keep fetchall sslproto '' no idle
    mda "cat >/dev/null"
EOF
chmod 600 "$BENCH_TMP/fetchmail/rc"

# check NAME REGEX: the last output of NAME shows it did the whole job
check()
{
	if ! grep -Eq -- "$2" "$BENCH_TMP/$1.log"; then
		tail -n 5 "$BENCH_TMP/$1.log" >&2
		die "$1 did not do the whole job: no /$2/ in its output (above)"
	fi
	: >"$BENCH_TMP/$1.log"
}

echo "IMAP/POP3: $n messages, $(div "$vsize" 1000000 %.1f) MB with CRLF, alice's INBOX on Dovecot $(dovecot --version | cut -d' ' -f1), 127.0.0.1:$LAB_IMAP_PORT and :$LAB_POP3_PORT"
echo "  $(machine)"
echo "  warm-up (not counted): one raw IMAP and one raw POP3 download"
$PY "$BENCH_DIR/measure.py" 300 "$BENCH_TMP/warmup.log" -- "$RAWCLIENT" imap "$LAB_IMAP_PORT" alice "$secret" >/dev/null &&
	$PY "$BENCH_DIR/measure.py" 300 "$BENCH_TMP/warmup.log" -- "$RAWCLIENT" pop3 "$LAB_POP3_PORT" alice "$secret" 64 >/dev/null ||
	die "the warm-up failed: $(tail -n 3 "$BENCH_TMP/warmup.log")"
unseen

start=$(date +%s)
round=1
while bench_round_ok "$round" "$start"; do
	echo "  round $round: IMAP, the whole mailbox"
	measure raw-imap 300 "$RAWCLIENT" imap "$LAB_IMAP_PORT" alice "$secret"
	check raw-imap "^imap: $n messages"
	rm -f "$BENCH_TMP"/cache.db*
	measure mailbench-imap 600 "$MAILBENCH" --config "$BENCH_TMP/config" \
		--cache "$BENCH_TMP/cache.db" fetch --account bench-imap
	check mailbench-imap "^bench-imap: $n new message"
	rm -rf "$BENCH_TMP/maildir" && mkdir "$BENCH_TMP/maildir"
	measure mbsync 600 mbsync -q -c "$BENCH_TMP/mbsyncrc" bench
	[ "$(find "$BENCH_TMP/maildir/INBOX/cur" "$BENCH_TMP/maildir/INBOX/new" -type f | wc -l)" = "$n" ] ||
		die "mbsync did not fetch $n messages"
	round=$((round + 1))
done

echo "  IMAP again, nothing changed (the cache and the Maildir of the last round)"
for ((i = 1; i <= BENCH_RUNS + 2 && i <= 9; i++)); do
	measure mailbench-imap-again 120 "$MAILBENCH" --config "$BENCH_TMP/config" \
		--cache "$BENCH_TMP/cache.db" fetch --account bench-imap
	check mailbench-imap-again "^bench-imap: 0 new message"
	measure mbsync-again 120 mbsync -q -c "$BENCH_TMP/mbsyncrc" bench
done
rm -rf "$BENCH_TMP/maildir"

start=$(date +%s)
round=1
while bench_round_ok "$round" "$start"; do
	echo "  round $round: POP3, every message, kept on the server"
	unseen
	measure raw-pop3 300 "$RAWCLIENT" pop3 "$LAB_POP3_PORT" alice "$secret" 64
	check raw-pop3 "^pop3: $n messages"
	rm -f "$BENCH_TMP"/cache.db*
	unseen
	measure mailbench-pop3 600 "$MAILBENCH" --config "$BENCH_TMP/config" \
		--cache "$BENCH_TMP/cache.db" fetch --account bench-pop3 --protocol pop3
	check mailbench-pop3 "^bench-pop3: $n new message"
	rm -f "$BENCH_TMP/fetchmail/ids"
	unseen
	measure fetchmail 900 env HOME="$BENCH_TMP/fetchmail" fetchmail -f "$BENCH_TMP/fetchmail/rc" \
		--idfile "$BENCH_TMP/fetchmail/ids"
	check fetchmail "^$n messages for alice"
	round=$((round + 1))
done
unseen
rm -f "$BENCH_TMP"/cache.db*

raw=$(median raw-imap)
mbi=$(median mailbench-imap)
mbs=$(median mbsync)
mba=$(median mailbench-imap-again)
mbsa=$(median mbsync-again)
rawp=$(median raw-pop3)
mbp=$(median mailbench-pop3)
fm=$(median fetchmail)
echo "  medians of $(runs mailbench-imap) round(s) ($(runs mailbench-imap-again) for the re-syncs); peak RSS the largest:"
row()
{
	printf '    %-13s %-38s %8.3f s   peak RSS %6s MB\n' "$1" "$2" "$(median "$3")" "$(peak_mb "$3")"
}
row "IMAP full" "raw client, one UID FETCH 1:*" raw-imap
row "" "mailbench fetch (parse, store, index)" mailbench-imap
row "" "mbsync into a new Maildir" mbsync
row "IMAP again" "mailbench fetch, nothing changed" mailbench-imap-again
row "" "mbsync, nothing changed" mbsync-again
row "POP3" "raw client, RETR pipelined 64 deep" raw-pop3
row "" "mailbench fetch --protocol pop3" mailbench-pop3
row "" "fetchmail (MDA: cat >/dev/null)" fetchmail
echo "  ratios: IMAP mailbench/mbsync $(div "$mbi" "$mbs"), mailbench/raw $(div "$mbi" "$raw"), mbsync/raw $(div "$mbs" "$raw");"
echo "          IMAP again mailbench/mbsync $(div "$mba" "$mbsa");" \
	"POP3 mailbench/raw $(div "$mbp" "$rawp"), fetchmail/mailbench $(div "$fm" "$mbp")"
echo "  reference (lab-notes, a machine like this): raw IMAP 0.67 s, mbsync 6.9 s, mbsync again 0.064 s;"
echo "            raw pipelined POP3 1.05 s, fetchmail 26.9 s"
peak=$(cat "$BENCH_TMP"/mailbench-*.rss | sort -n | tail -n 1 | awk '{printf "%.1f", $1 / 1024}')
goal "IMAP full sync no slower than mbsync ($(div "$mbi" "$mbs")x)" "$(le "$mbi" "$mbs")"
goal "IMAP re-sync within 1.5x of mbsync's ($(div "$mba" "$mbsa")x)" "$(le "$(div "$mba" "$mbsa" %.4f)" 1.5)"
goal "POP3 within 2x of the raw pipelined client ($(div "$mbp" "$rawp")x)" "$(le "$(div "$mbp" "$rawp" %.4f)" 2)"
goal "mailbench peak RSS under 64 MB ($peak MB)" "$(le "$peak" 63.999)"
exit 0
