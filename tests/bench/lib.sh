# shellcheck shell=bash
# lib.sh: sourced by the benchmarks against the peers (smtp_bench.sh, fetch_bench.sh).
# Starts the benchmark lab (its own state directory and ports, never a test lab), runs
# commands under measure.py and prints medians and ratios.
#
#     BENCH_LAB_DIR   the lab's state directory (default /tmp/mailbench-bench-lab)
#     BENCH_LAB_BASE  its base port (default 40000: SMTP 40025, IMAP 40143, POP3 40110)
#     BENCH_RUNS      rounds per measurement, the median is printed (default 3, 1 to 9)
#     BENCH_BUDGET    seconds per benchmark after which no new round starts (default 900)
#     BENCH_KEEP_LAB  1: leave the lab running at the end (it is stopped when we started it)
set -u
set -o pipefail
: "${top_srcdir:?}" "${top_builddir:?}" "${MAILBENCH:?}"
RAWCLIENT=${RAWCLIENT:-$top_builddir/tests/bench/rawclient}
BENCH_LAB_DIR=${BENCH_LAB_DIR:-/tmp/mailbench-bench-lab}
BENCH_LAB_BASE=${BENCH_LAB_BASE:-40000}
BENCH_RUNS=${BENCH_RUNS:-3}
BENCH_BUDGET=${BENCH_BUDGET:-900}
PY=/usr/bin/python3
BENCH_DIR=$top_srcdir/tests/bench
case $BENCH_RUNS in
[1-9]) ;;
*) echo "bench: BENCH_RUNS must be 1 to 9" >&2 && exit 2 ;;
esac

bench_lab()
{
	MAILBENCH_LAB_DIR=$BENCH_LAB_DIR MAILBENCH_LAB_BASE=$BENCH_LAB_BASE \
		bash "$top_srcdir/tests/lab/lab.sh" "$@"
}

BENCH_TMP=$(mktemp -d /tmp/mb-bench-XXXXXX) || exit 1
BENCH_STARTED_LAB=0
bench_cleanup()
{
	if [ "$BENCH_STARTED_LAB" = 1 ] && [ "${BENCH_KEEP_LAB:-0}" != 1 ]; then
		bench_lab stop >/dev/null
	fi
	rm -rf "$BENCH_TMP"
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

die()
{
	echo "bench: $*" >&2
	exit 1
}

# need CMD PACKAGE: fail with the Debian package to install when a program is missing
need()
{
	command -v "$1" >/dev/null 2>&1 || die "cannot find '$1': install the Debian package $2"
}

# bench_lab_start: start the benchmark lab unless it runs; its variables (LAB_*) exported
bench_lab_start()
{
	local status=0
	bench_lab status >/dev/null 2>&1 || status=$?
	if [ "$status" != 0 ]; then
		bench_lab start -q || die "cannot start the benchmark lab in '$BENCH_LAB_DIR'"
		BENCH_STARTED_LAB=1
	fi
	eval "$(bench_lab env)"
	[ "$MAILBENCH_LAB_BASE" = "$BENCH_LAB_BASE" ] ||
		die "the lab in '$BENCH_LAB_DIR' runs on base $MAILBENCH_LAB_BASE, not $BENCH_LAB_BASE"
	DOVEADM="doveadm -c $BENCH_LAB_DIR/etc/dovecot/dovecot.conf"
}

# inbox_count USER: messages in USER's INBOX on disk (new/ and cur/)
inbox_count()
{
	local md
	eval "md=\$LAB_MAILDIR_$1"
	find "$md/new" "$md/cur" -maxdepth 1 -type f | wc -l
}

# bench_config FILE: a mailbench config with the accounts the benchmarks use: plain
# protocols on loopback, alice for IMAP and POP3, no login for SMTP
bench_config()
{
	cat >"$1" <<EOF
[account bench-smtp]
from = Carol <carol@lab.test>
smtp_host = 127.0.0.1
smtp_port = $LAB_SMTP_PORT
smtp_security = none
timeout = 60

[account bench-imap]
from = Alice <alice@lab.test>
imap_host = 127.0.0.1
imap_port = $LAB_IMAP_PORT
imap_security = none
user = alice
password_command = cat $LAB_SECRETS_DIR/alice
timeout = 60

[account bench-pop3]
from = Alice <alice@lab.test>
pop3_host = 127.0.0.1
pop3_port = $LAB_POP3_PORT
pop3_security = none
user = alice
password_command = cat $LAB_SECRETS_DIR/alice
timeout = 60
EOF
	chmod 600 "$1"
}

# measure NAME TIMEOUT CMD...: run CMD once (output in $BENCH_TMP/NAME.log); its wall time
# and peak RSS are kept for median and peak_mb, and printed
measure()
{
	local name=$1 timeout=$2 out
	shift 2
	out=$($PY "$BENCH_DIR/measure.py" "$timeout" "$BENCH_TMP/$name.log" -- "$@") || {
		echo "bench: $name failed; the end of its output:" >&2
		tail -n 20 "$BENCH_TMP/$name.log" >&2
		exit 1
	}
	set -- $out
	echo "$1" >>"$BENCH_TMP/$name.times"
	echo "$2" >>"$BENCH_TMP/$name.rss"
	printf '    %-26s %8.3f s   peak RSS %6.1f MB\n' "$name" "$1" "$(echo "$2" | awk '{print $1 / 1024}')"
}

# median NAME: the median of NAME's times (the lower middle one for an even count)
median()
{
	sort -n "$BENCH_TMP/$1.times" | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'
}

# peak_mb NAME: the largest peak RSS of NAME's runs, in MB
peak_mb()
{
	sort -n "$BENCH_TMP/$1.rss" | tail -n 1 | awk '{printf "%.1f", $1 / 1024}'
}

# runs NAME: how many runs NAME has
runs()
{
	wc -l <"$BENCH_TMP/$1.times"
}

# div A B [FORMAT]: A / B
div()
{
	awk -v a="$1" -v b="$2" -v f="${3:-%.2f}" 'BEGIN {printf f, (b > 0 ? a / b : 0)}'
}

# goal DESCRIPTION OK: print a goal line, met when OK is 1
goal()
{
	if [ "$2" = 1 ]; then
		printf '  goal %-62s met\n' "$1"
	else
		printf '  goal %-62s MISSED\n' "$1"
		BENCH_MISSED=$((${BENCH_MISSED:-0} + 1))
	fi
}

# le A B: 1 when A <= B (decimal numbers)
le()
{
	awk -v a="$1" -v b="$2" 'BEGIN {print (a <= b) ? 1 : 0}'
}

# bench_round_ok ROUND START: succeed while round ROUND may start (BENCH_RUNS, and
# BENCH_BUDGET seconds since START)
bench_round_ok()
{
	local round=$1 start=$2
	[ "$round" -le "$BENCH_RUNS" ] || return 1
	[ "$round" = 1 ] && return 0
	[ $(($(date +%s) - start)) -lt "$BENCH_BUDGET" ] || {
		echo "    (time budget of $BENCH_BUDGET s spent: no more rounds)"
		return 1
	}
}

# machine: one line describing this machine
machine()
{
	local os cpu
	os=$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
	echo "${os:-?}, $(nproc) cores ($cpu), $(date -u '+%Y-%m-%d %H:%M UTC')"
}
