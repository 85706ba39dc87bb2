#!/bin/bash
# smtp_bench.sh: sending 500 small messages to the lab's plain SMTP port (Postfix), issue 3.8.
# Not a test: it prints figures and compares them with the goals. In each round, on the
# same box and the same lab:
#
#   raw client   tests/bench/rawclient smtp: one connection, MAIL/RCPT/DATA per message,
#                each reply awaited (the limit of one connection)
#   mailbench    mailbench send --eml FILE... (one connection, pipelined, RSET between),
#                into a new cache, so storing every message in the outbox first is counted
#   swaks        one swaks process and connection per message, as people use it
#
# Goals: mailbench at least 5x faster than the swaks loop, and at most 1.5x the raw
# client's time. Run it with `make bench-smtp` (or `make bench`), or:
#
#     top_srcdir=. top_builddir=BUILD MAILBENCH=BUILD/mailbench tests/bench/smtp_bench.sh
#
# BENCH_SMTP_MESSAGES (500) changes the count; see lib.sh for the lab and the rounds.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

n=${BENCH_SMTP_MESSAGES:-500}
case $n in
'' | *[!0-9]*) die "BENCH_SMTP_MESSAGES must be a number" ;;
esac
[ "$n" -ge 1 ] && [ "$n" -le 5000 ] || die "BENCH_SMTP_MESSAGES must be 1 to 5000"
need swaks swaks
[ -x "$RAWCLIENT" ] || die "cannot find '$RAWCLIENT' (make tests/bench/rawclient)"
bench_lab_start
[ "$LAB_SMTP_SERVER" = postfix ] ||
	echo "bench: note: the lab's SMTP server is $LAB_SMTP_SERVER (no PIPELINING), not Postfix"

mkdir -p "$BENCH_TMP/eml"
out=$($PY "$BENCH_DIR/gen_mailbox.py" --eml "$BENCH_TMP/eml" --count "$n") ||
	die "cannot generate the messages"
bytes=$(echo "$out" | cut -d' ' -f2)
files=("$BENCH_TMP"/eml/*.eml)
bench_config "$BENCH_TMP/config"

# settle: wait (at most 120 s) until Postfix has delivered all n messages to bob, then
# empty bob's INBOX, so that one tool's deliveries never overlap the next tool's run
settle()
{
	local i
	for ((i = 0; i < 1200; i++)); do
		[ "$(inbox_count bob)" -ge "$n" ] && break
		sleep 0.1
	done
	[ "$(inbox_count bob)" -ge "$n" ] || die "only $(inbox_count bob) of $n messages reached bob in 120 s"
	$DOVEADM expunge -u bob mailbox INBOX all || die "cannot empty bob's INBOX"
}

$DOVEADM expunge -u bob mailbox INBOX all 2>/dev/null
echo "SMTP: $n messages ($(div "$bytes" 1000 %.0f) kB) from carol to bob, Postfix on 127.0.0.1:$LAB_SMTP_PORT"
echo "  $(machine)"
start=$(date +%s)
round=1
while bench_round_ok "$round" "$start"; do
	echo "  round $round"
	measure raw-client 300 "$RAWCLIENT" smtp "$LAB_SMTP_PORT" carol@lab.test bob@lab.test "${files[@]}"
	settle
	rm -f "$BENCH_TMP"/cache.db*
	measure mailbench 300 "$MAILBENCH" --config "$BENCH_TMP/config" --cache "$BENCH_TMP/cache.db" \
		send --account bench-smtp --quiet --eml "${files[@]}"
	settle
	measure swaks-loop 900 bash -c 'port=$1; shift; for f; do
		swaks --server "127.0.0.1:$port" --from carol@lab.test --to bob@lab.test \
			--data "@$f" --silent 2 || exit 1; done' _ "$LAB_SMTP_PORT" "${files[@]}"
	settle
	round=$((round + 1))
done

raw=$(median raw-client)
mb=$(median mailbench)
sw=$(median swaks-loop)
echo "  medians of $(runs mailbench) round(s):"
printf '    %-34s %7.3f s  %7.1f messages/s\n' "raw client, one connection" "$raw" "$(div "$n" "$raw" %.1f)"
printf '    %-34s %7.3f s  %7.1f messages/s  peak RSS %s MB\n' "mailbench send --eml" "$mb" \
	"$(div "$n" "$mb" %.1f)" "$(peak_mb mailbench)"
printf '    %-34s %7.3f s  %7.1f messages/s\n' "swaks, one process per message" "$sw" "$(div "$n" "$sw" %.1f)"
speedup=$(div "$sw" "$mb")
slower=$(div "$mb" "$raw")
echo "  mailbench is ${speedup}x as fast as the swaks loop, and takes ${slower}x the raw client's time"
goal "mailbench >= 5x as fast as swaks in a loop (${speedup}x)" "$(le 5 "$speedup")"
goal "mailbench within 1.5x of the raw client (${slower}x)" "$(le "$slower" 1.5)"
exit 0
