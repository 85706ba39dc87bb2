# shellcheck shell=bash
# fault_lib.sh: sourced (by bash) at the top of the fault tests (fault_*.sh, tls_*.sh): runs
# mailbench against the scripted fault server (tests/faultserver) and checks what it did:
# exit status, messages, run time, peak memory, the cache (outbox, messages, integrity) and
# what the server received (its --record).
#
#     . "$top_srcdir/tests/integration/fault_lib.sh"
#     case_begin "421 at greeting"                 # a fault case: its own config and cache
#     if fl_start "$FS_SCRIPTS/smtp-421-greeting.script" --timeout 20; then
#             mb_config                             # account 'fault' on $FAULT_PORT
#             mb_send                               # mailbench send; RC, OUT, ERR...
#             t_rc 4
#             t_err_said '421' "the reply is quoted"
#             t_outbox_unsent
#             fl_server_ok                          # the server's verdict on the client
#     fi
#     case_end                                      # counted as passed if no check failed
#     fl_done "SMTP"                                # "# SMTP: N of M fault cases passed", plan
#
# Every mailbench run is bounded (FL_GUARD seconds, killed after) and its stdout, stderr,
# exit status, wall time (ms) and peak RSS (kB) are kept in OUT, ERR, RC, ELAPSED_MS and
# RSS_KB. A run that dies from a signal or prints a sanitizer report (ASan, LSan, UBSan)
# fails the case whatever else it did.

set -u

: "${top_srcdir:?run me from make check, or set top_srcdir, top_builddir and MAILBENCH}"
: "${MAILBENCH:=${top_builddir:-.}/mailbench}"

# shellcheck source=tests/faultserver/fault.sh
. "$top_srcdir/tests/faultserver/fault.sh"

FL_PY=/usr/bin/python3
# shellcheck disable=SC2034 # used by the tests that source this file
FS_SCRIPTS=$top_srcdir/tests/faultserver/scripts
FL_GUARD=${FL_GUARD:-30}

# sanitizer reports must make the run fail (a leak too), never scroll by
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}abort_on_error=1:halt_on_error=1:detect_leaks=1:quarantine_size_mb=16"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:abort_on_error=1:print_stacktrace=1"
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}exitcode=23"
# no colour, no terminal, no config or cache of the user's
export NO_COLOR=1
unset XDG_CONFIG_HOME XDG_DATA_HOME XDG_STATE_HOME

# a build with AddressSanitizer uses more memory by itself
FL_ASAN=0
if grep -a -q -F '__asan_init' "$MAILBENCH" 2>/dev/null; then
	FL_ASAN=1
fi

fault__init || exit 1
export HOME=$FAULT_DIR

# --- TAP and fault-case accounting -----------------------------------------------------

t_n=0
t_failed=0
CASES_RUN=0
CASES_PASSED=0
CASE=
CASE_FAILED=0
CASE_SEQ=0
CASE_DIR=
FAILED_CASES=

# t_ok STATUS DESC: one test point, passing when STATUS is 0
t_ok()
{
	local st=$1
	shift
	t_n=$((t_n + 1))
	if [ "$st" = 0 ]; then
		echo "ok $t_n - ${CASE:+$CASE: }$*"
		return 0
	fi
	t_failed=$((t_failed + 1))
	CASE_FAILED=1
	echo "not ok $t_n - ${CASE:+$CASE: }$*"
	return 1
}

# t_is GOT WANT DESC
t_is()
{
	if [ "$1" = "$2" ]; then
		t_ok 0 "$3"
		return 0
	fi
	t_ok 1 "$3"
	t_diag "got:  '$1'"
	t_diag "want: '$2'"
	return 1
}

# t_in GOT "A B C" DESC: GOT is one of the words
t_in()
{
	local w
	for w in $2; do
		if [ "$1" = "$w" ]; then
			t_ok 0 "$3"
			return 0
		fi
	done
	t_ok 1 "$3"
	t_diag "got:  '$1'"
	t_diag "want one of: $2"
	return 1
}

# t_like GOT REGEX DESC (grep -E, case-sensitive)
t_like()
{
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		t_ok 0 "$3"
		return 0
	fi
	t_ok 1 "$3"
	t_diag "got:  '$(printf '%s' "$1" | head -c 2000)'"
	t_diag "want match for: /$2/"
	return 1
}

# t_unlike GOT REGEX DESC
t_unlike()
{
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		t_ok 1 "$3"
		t_diag "got:  '$(printf '%s\n' "$1" | grep -E -- "$2" | head -n 5 | head -c 2000)'"
		t_diag "want no match for: /$2/"
		return 1
	fi
	t_ok 0 "$3"
}

# t_le GOT MAX DESC (integers)
t_le()
{
	if [ -n "$1" ] && [ "$1" -le "$2" ] 2>/dev/null; then
		t_ok 0 "$3"
		return 0
	fi
	t_ok 1 "$3"
	t_diag "got $1, want at most $2"
	return 1
}

t_diag()
{
	printf '%s\n' "$*" | sed 's/^/# /'
}

# case_begin NAME: a fault case begins (its own directory, config and cache)
case_begin()
{
	CASE=$1
	CASE_FAILED=0
	CASE_SEQ=$((CASE_SEQ + 1))
	CASES_RUN=$((CASES_RUN + 1))
	CASE_DIR=$FAULT_DIR/case.$CASE_SEQ
	mkdir -p "$CASE_DIR"
	CFG=$CASE_DIR/config
	DB=$CASE_DIR/cache.db
	RUN_SEQ=0
}

# case_end: count the case as passed when none of its test points failed
case_end()
{
	if [ "$CASE_FAILED" = 0 ]; then
		CASES_PASSED=$((CASES_PASSED + 1))
	else
		FAILED_CASES="$FAILED_CASES
#   - $CASE"
		fault_diag
		t_diag "--- mailbench stderr"
		[ -n "${ERR:-}" ] && [ -f "$ERR" ] && head -n 20 "$ERR" | cut -c 1-200 | sed 's/^/#   /'
		t_diag "--- mailbench stdout (last lines)"
		[ -n "${OUT:-}" ] && [ -f "$OUT" ] && tail -n 15 "$OUT" | cut -c 1-200 | sed 's/^/#   /'
	fi
	fault_stop
	CASE=
}

# fl_done WHAT: the figures (issue 6 wants them visible), the plan, the exit status
fl_done()
{
	echo "# $1: $CASES_PASSED of $CASES_RUN fault cases passed ($((t_n - t_failed)) of $t_n checks)"
	if [ -n "$FAILED_CASES" ]; then
		echo "# failed cases:$FAILED_CASES"
	fi
	echo "1..$t_n"
	[ "$t_failed" = 0 ] || exit 1
	exit 0
}

# fl_start SCRIPT [args]: fault_start with a TAP failure (and the case failed) if it cannot
fl_start()
{
	if fault_start "$@"; then
		return 0
	fi
	t_ok 1 "the fault server started"
	return 1
}

# fl_wait [SEC]: the server's exit status (0: the client behaved as the script expects)
fl_server_ok()
{
	local st
	fault_wait "${1:-10}"
	st=$?
	t_is "$st" 0 "the fault server saw the client behave as its script expects (exit $st)"
}

# --- configuration ---------------------------------------------------------------------

# mb_config [key=value]...: write the case's config: account 'fault' on the fault server's
# port for SMTP, IMAP and POP3 (plain, user alice, a literal password, timeout 3);
# arguments override or add keys ('key=' drops a key)
FL_PASSWORD='Fault-Pw-7qZ2xK9'
FL_USER=alice
mb_config()
{
	local -A kv=()
	local keys="from smtp_host smtp_port smtp_security imap_host imap_port imap_security
		pop3_host pop3_port pop3_security user password password_command ca_file tls_verify
		ehlo_name timeout"
	local k a
	kv[from]="Alice <alice@faultserver.test>"
	kv[smtp_host]=127.0.0.1
	kv[smtp_port]=${FAULT_PORT:-1}
	kv[smtp_security]=none
	kv[imap_host]=127.0.0.1
	kv[imap_port]=${FAULT_PORT:-1}
	kv[imap_security]=none
	kv[pop3_host]=127.0.0.1
	kv[pop3_port]=${FAULT_PORT:-1}
	kv[pop3_security]=none
	kv[user]=$FL_USER
	kv[password]=$FL_PASSWORD
	kv[timeout]=3
	for a in "$@"; do
		k=${a%%=*}
		kv[$k]=${a#*=}
	done
	{
		echo "# written by $(basename "$0") for case: $CASE"
		echo "[account fault]"
		for k in $keys; do
			if [ -n "${kv[$k]:-}" ]; then
				printf '%s = %s\n' "$k" "${kv[$k]}"
			fi
		done
	} >"$CFG"
	chmod 600 "$CFG"
}

# --- running mailbench -----------------------------------------------------------------

# mb_run ARGS...: run mailbench with the case's config and cache; sets RC, OUT, ERR,
# ELAPSED_MS, RSS_KB, SIGNALLED (1 when it died from a signal or a sanitizer report)
# FL_ULIMIT_V (kB), when set, caps the virtual memory of a build without ASan.
mb_run()
{
	local rss t0 t1 limit=
	RUN_SEQ=$((RUN_SEQ + 1))
	OUT=$CASE_DIR/out.$RUN_SEQ
	ERR=$CASE_DIR/err.$RUN_SEQ
	rss=$CASE_DIR/rss.$RUN_SEQ
	if [ -n "${FL_ULIMIT_V:-}" ] && [ "$FL_ASAN" = 0 ]; then
		limit=$FL_ULIMIT_V
	fi
	t0=$(date +%s%N)
	(
		[ -n "$limit" ] && ulimit -v "$limit"
		exec timeout -k 5 "$FL_GUARD" /usr/bin/time -f 'rss %M' -o "$rss" \
			"$MAILBENCH" --config "$CFG" --cache "$DB" "$@"
	) >"$OUT" 2>"$ERR" </dev/null
	RC=$?
	t1=$(date +%s%N)
	ELAPSED_MS=$(((t1 - t0) / 1000000))
	RSS_KB=$(sed -n 's/^rss \([0-9]*\)$/\1/p' "$rss" 2>/dev/null | tail -n 1)
	RSS_KB=${RSS_KB:-0}
	SIGNALLED=0
	if [ "$RC" -ge 124 ] || grep -q 'terminated by signal' "$rss" 2>/dev/null ||
		grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: (Address|Undefined)' "$ERR"; then
		SIGNALLED=1
	fi
}

# mb_send [ARGS...]: mailbench send --no-auth of the standard test message (FL_BODY) to
# bob@faultserver.test (unless ARGS hold --to); the live transcript goes to OUT.
# mb_send_auth: the same, authenticating with the account's user and password
mb_send()
{
	mb_send_auth --no-auth "$@"
}

mb_send_auth()
{
	local have_to=0 a
	for a in "$@"; do
		case $a in --to | --to=* | --eml) have_to=1 ;; esac
	done
	if [ "$have_to" = 0 ]; then
		set -- --to bob@faultserver.test "$@"
	fi
	mb_run send --account fault --subject "fault case $CASE_SEQ" --body "$FL_BODY" "$@"
}

# mb_fetch PROTO [ARGS...]
mb_fetch()
{
	local p=$1
	shift
	mb_run fetch --account fault --protocol "$p" --transcript "$@"
}

# t_no_crash: the run ended by itself, without a signal or a sanitizer report
t_no_crash()
{
	if [ "$SIGNALLED" = 0 ]; then
		t_ok 0 "no crash, hang or sanitizer report (exit $RC)"
		return 0
	fi
	t_ok 1 "no crash, hang or sanitizer report (exit $RC)"
	grep -E -A 12 'ERROR: |runtime error:' "$ERR" | head -n 40 | sed 's/^/#   /'
	return 1
}

# t_rc WANT...: the exit status is one of WANT
t_rc()
{
	t_in "$RC" "$*" "exit status $* (got $RC)"
}

# t_said REGEX DESC: stdout or stderr says it (grep -E -i)
t_said()
{
	if grep -a -E -i -q -- "$1" "$OUT" "$ERR"; then
		t_ok 0 "$2"
		return 0
	fi
	t_ok 1 "$2"
	t_diag "no line of stdout/stderr matches /$1/ (case-insensitive); stderr:"
	head -n 12 "$ERR" | cut -c 1-240 | sed 's/^/#   /'
	return 1
}

# t_err_said REGEX DESC: stderr (the error, the failure card) says it (grep -E -i)
t_err_said()
{
	if grep -a -E -i -q -- "$1" "$ERR"; then
		t_ok 0 "$2"
		return 0
	fi
	t_ok 1 "$2"
	t_diag "no line of stderr matches /$1/ (case-insensitive); stderr:"
	head -n 12 "$ERR" | cut -c 1-240 | sed 's/^/#   /'
	return 1
}

# t_not_said REGEX DESC
t_not_said()
{
	if grep -a -E -i -q -- "$1" "$OUT" "$ERR"; then
		t_ok 1 "$2"
		grep -a -E -i -h -- "$1" "$OUT" "$ERR" | head -n 5 | cut -c 1-240 | sed 's/^/#   /'
		return 1
	fi
	t_ok 0 "$2"
}

# t_fast MAX_MS DESC: the run took at most MAX_MS milliseconds
t_fast()
{
	t_le "$ELAPSED_MS" "$1" "$2 (took $ELAPSED_MS ms)"
}

# t_rss MAX_KB: peak RSS bounded; an ASan build gets FL_ASAN_EXTRA_KB more (its shadow
# memory and allocator)
FL_ASAN_EXTRA_KB=${FL_ASAN_EXTRA_KB:-131072}
t_rss()
{
	local max=$1
	[ "$FL_ASAN" = 1 ] && max=$((max + FL_ASAN_EXTRA_KB))
	t_le "$RSS_KB" "$max" "peak memory bounded: $((RSS_KB / 1024)) MB (limit $((max / 1024)) MB)"
}

# --- the test message ------------------------------------------------------------------

# a body with lines that need dot-stuffing, LF line ends (mailbench must make them CRLF)
FL_BODY=$FAULT_DIR/body.txt
printf '%s\n' "Hello Bob," "" "." ".one dot" "..two dots" "From the start of a line" \
	"last line" >"$FL_BODY"

# --- the cache -------------------------------------------------------------------------

# sql QUERY: rows of QUERY on the case's cache, fields joined by '|'
sql()
{
	"$FL_PY" - "$DB" "$1" <<'EOF'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], timeout=5)
try:
    for row in con.execute(sys.argv[2]):
        print("|".join("" if v is None else (v.decode("latin-1") if isinstance(v, bytes) else str(v)) for v in row))
finally:
    con.close()
EOF
}

# t_source_is QUERY FILE DESC: QUERY gives one message id, and that message's stored source
# (tests/integration/mbsource.py) holds FILE's bytes exactly
t_source_is()
{
	local r
	r=$(PYTHONPATH="$top_srcdir/tests/integration" "$FL_PY" - "$DB" "$1" "$2" <<'EOF'
import sqlite3, sys, mbsource
con = sqlite3.connect(sys.argv[1], timeout=5)
rows = con.execute(sys.argv[2]).fetchall()
want = open(sys.argv[3], "rb").read()
got = mbsource.source(sys.argv[1], con, rows[0][0]) if len(rows) == 1 else None
if len(rows) != 1:
    print("%d rows" % len(rows))
elif got != want:
    print("differs: %d bytes, want %d" % (len(got), len(want)))
else:
    print("ok")
EOF
)
	t_is "$r" ok "$3"
}

# t_integrity: PRAGMA integrity_check is ok (and the cache exists)
t_integrity()
{
	local r
	if [ ! -s "$DB" ]; then
		t_ok 1 "the cache exists"
		return 1
	fi
	r=$(sql 'PRAGMA integrity_check' 2>&1)
	t_is "$r" ok "cache integrity_check ok"
}

# t_outbox_unsent: one outbox row, kept, not sent (queued or failed, its raw intact)
t_outbox_unsent()
{
	local row
	row=$(sql "SELECT status, length(raw) > 0, attempts FROM outbox" 2>&1)
	t_like "$row" '^(queued|failed)\|1\|[01]$' "the message stays in the outbox, not sent (status|raw|attempts: $row)"
}

# t_outbox_kind KIND: the failure recorded has kind KIND (regex)
t_outbox_kind()
{
	local k
	k=$(sql "SELECT last_error_kind FROM outbox" 2>&1)
	t_like "$k" "^($1)\$" "the outbox records the failure as '$1' (got '$k')"
}

# --- the record (what mailbench sent) --------------------------------------------------

# rec_lines: the lines the client sent (CR LF removed), one per line
rec_lines()
{
	tr -d '\r' <"$FAULT_RECORD"
}

# t_rec_lacks TEXT DESC / t_rec_has TEXT DESC (fixed strings)
t_rec_lacks()
{
	if fault_record_lacks "$1"; then
		t_ok 0 "$2"
		return 0
	fi
	t_ok 1 "$2"
	t_diag "the record holds '$1':"
	grep -a -F -n -- "$1" "$FAULT_RECORD" | head -n 3 | cut -c 1-200 | sed 's/^/#   /'
	return 1
}

t_rec_has()
{
	if fault_record_has "$1"; then
		t_ok 0 "$2"
		return 0
	fi
	t_ok 1 "$2"
	t_diag "the record lacks '$1'; it holds:"
	head -c 1500 "$FAULT_RECORD" | sed 's/^/#   /'
	return 1
}

# t_rec_lacks_bytes TEXT DESC: TEXT (any bytes, line ends included) is not in the record
t_rec_lacks_bytes()
{
	if "$FL_PY" -c 'import sys; sys.exit(sys.argv[1].encode("latin-1") in open(sys.argv[2], "rb").read())' \
		"$1" "$FAULT_RECORD"; then
		t_ok 0 "$2"
		return 0
	fi
	t_ok 1 "$2"
	return 1
}

# t_rec_only REGEX DESC: every line of the record matches REGEX (grep -E, anchored)
t_rec_only()
{
	local bad
	bad=$(rec_lines | grep -a -v -E -- "^($1)\$" | head -n 5)
	if [ -z "$bad" ]; then
		t_ok 0 "$2"
		return 0
	fi
	t_ok 1 "$2"
	t_diag "unexpected lines in the record:"
	printf '%s\n' "$bad" | cut -c 1-200 | sed 's/^/#   /'
	return 1
}

# t_rec_crlf: the client sent no bare CR or LF (every line ends in CRLF)
t_rec_crlf()
{
	local r
	r=$("$FL_PY" - "$FAULT_RECORD" <<'EOF'
import re, sys
d = open(sys.argv[1], "rb").read()
bad = [m.start() for m in re.finditer(rb"(?<!\r)\n|\r(?!\n)", d)]
print("ok" if not bad else "bare CR or LF at byte %d: %r" % (bad[0], d[max(0, bad[0] - 30):bad[0] + 10]))
EOF
)
	t_is "$r" ok "no bare CR or LF on the wire"
}

# t_rec_stuffed: the body in the record is FL_BODY with CRLF, each leading dot doubled
# exactly once, ended by CRLF.CRLF
t_rec_stuffed()
{
	local r
	r=$("$FL_PY" - "$FAULT_RECORD" "$FL_BODY" <<'EOF'
import sys
rec = open(sys.argv[1], "rb").read()
body = open(sys.argv[2], "rb").read().decode().split("\n")[:-1]
i = rec.find(b"\r\nDATA\r\n")
if i < 0:
    print("no DATA command in the record"); sys.exit()
data = rec[i + 8:]
j = data.find(b"\r\n.\r\n")
if j < 0:
    print("no end of data (CRLF.CRLF) in the record"); sys.exit()
msg = data[:j + 2]
hdr, sep, wire = msg.partition(b"\r\n\r\n")
want = "".join(("." + l if l.startswith(".") else l) + "\r\n" for l in body).encode()
print("ok" if wire == want else "body on the wire differs: got %r want %r" % (wire[:300], want))
EOF
)
	t_is "$r" ok "the body went out dot-stuffed exactly once, CRLF line ends"
}

# t_secret_absent FILES...: the password, its base64 forms (AUTH PLAIN and LOGIN) are in none
# of the files (stdout, stderr, the cache and its journals)
fl_secret_forms()
{
	"$FL_PY" - "$FL_USER" "$FL_PASSWORD" <<'EOF'
import base64, sys
u, p = sys.argv[1].encode(), sys.argv[2].encode()
print(p.decode())
print(base64.b64encode(p).decode())
print(base64.b64encode(b"\0" + u + b"\0" + p).decode())
print(base64.b64encode(u + b"\0" + u + b"\0" + p).decode())
EOF
}

t_secret_absent()
{
	local form f found=
	while IFS= read -r form; do
		for f in "$@"; do
			[ -e "$f" ] || continue
			if grep -a -F -q -- "$form" "$f"; then
				found="$found ${f##*/}:$form"
			fi
		done
	done < <(fl_secret_forms)
	t_is "$found" "" "neither the password nor its base64 appears in output, transcript or cache"
}
