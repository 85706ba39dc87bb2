# shellcheck shell=bash
# cli_read_common.sh: sourced by the cli_read_*.sh integration tests after
# tests/lab/fixture.sh. A temp dir with a config whose accounts point at the test lab's
# ports (the built-in 'lab' account uses the demo lab's), a cache, and helpers: mb (mailbench
# with both), db (SQL on the cache), cache_insert (stores .eml files as a fetch would),
# on_tty (runs a command with a pseudo-terminal as its output), lines_wider (width check).

CR_TMP=$(mktemp -d "${TMPDIR:-/tmp}/mbcliread.XXXXXX")
CR_CONFIG=$CR_TMP/config
CR_CACHE=$CR_TMP/cache.db
PY=/usr/bin/python3
# tables are checked at a known width unless a test says otherwise
COLUMNS=80
export COLUMNS
CACHE_INSERT=$top_builddir/tests/unit/cache_insert

# cr_cleanup: remove the temp dir (the EXIT trap; tests with fault servers call it from theirs)
cr_cleanup()
{
	[ "${MB_KEEP_TEST_FILES:-0}" = 1 ] || rm -rf "$CR_TMP"
}
trap cr_cleanup EXIT

[ -x "$CACHE_INSERT" ] || tap_bail "missing $CACHE_INSERT (make check builds it)"

# In a sanitizer build, reports go to files instead of a stderr the test may swallow;
# cr_sanitizer_check (called before tap_done) fails if any process wrote one.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$CR_TMP/asan"
UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$CR_TMP/ubsan:print_stacktrace=1"
export ASAN_OPTIONS UBSAN_OPTIONS

cr_sanitizer_check()
{
	local f reports=
	for f in "$CR_TMP"/asan.* "$CR_TMP"/ubsan.*; do
		[ -e "$f" ] || continue
		reports="$reports $f"
		sed 's/^/# /' "$f" | head -n 40
	done
	tap_is "$reports" "" "no AddressSanitizer, LeakSanitizer or UBSan report from any process"
}

# cr_account NAME HOST PORT SECURITY [USER]: an SMTP account (USER logs in with the lab's
# password for USER)
cr_account()
{
	local name=$1 host=$2 port=$3 sec=$4 user=${5:-}
	{
		printf '[account %s]\n' "$name"
		printf 'from = Alice <alice@%s>\n' "$LAB_DOMAIN"
		printf 'smtp_host = %s\nsmtp_port = %s\nsmtp_security = %s\n' "$host" "$port" "$sec"
		if [ -n "$user" ]; then
			printf 'user = %s\n' "$user"
			printf "password_command = cat '%s/secrets/%s'\n" "$MAILBENCH_LAB_DIR" "$user"
		fi
		printf 'ca_file = %s\ntimeout = 20\n\n' "$LAB_CA"
	} >>"$CR_CONFIG"
}

# cr_set_port NAME PORT: point account NAME at another port (a new fault server)
cr_set_port()
{
	sed -i "/^\[account $1\]/,/^\$/ s|^smtp_port = .*|smtp_port = $2|" "$CR_CONFIG"
}

: >"$CR_CONFIG"
chmod 600 "$CR_CONFIG"

# mb ARGS...: mailbench with the test's config and cache
mb()
{
	"$MAILBENCH" --config "$CR_CONFIG" --cache "$CR_CACHE" "$@"
}

# db SQL: one row per line, columns tab-separated
db()
{
	"$PY" - "$CR_CACHE" "$1" <<'PYEOF'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], timeout=10)
for row in con.execute(sys.argv[2]):
    print("\t".join("" if v is None else str(v) for v in row))
PYEOF
}

# on_tty CMD ARGS...: run CMD with a pseudo-terminal as standard output (TERM=xterm, 100
# columns); prints what it wrote with the terminal's CRs removed; returns CMD's status
on_tty()
{
	local cmd
	cmd=$(printf '%q ' "$@")
	TERM=xterm COLUMNS=100 script -qec "stty cols 100 2>/dev/null; $cmd" /dev/null </dev/null |
		tr -d '\r'
	return "${PIPESTATUS[0]}"
}

# lines_wider N TEXT: prints the lines of TEXT wider than N columns (display width)
lines_wider()
{
	"$PY" -c '
import sys, unicodedata
n = int(sys.argv[1])
def width(s):
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
for line in sys.argv[2].split("\n"):
    if width(line) > n:
        print(line)
' "$1" "$2"
}
