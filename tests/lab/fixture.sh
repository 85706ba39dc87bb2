# shellcheck shell=bash
# fixture.sh: sourced (by bash) at the top of an integration test: starts the shared test lab
# if needed (state in $top_builddir/tests/lab-state, base port 20000 unless
# MAILBENCH_LAB_BASE says otherwise, so tests never meet a demo lab on 10000), exports the
# variables of 'lab.sh env', and defines helpers for mailboxes and TAP output.
#
#     . "$top_srcdir/tests/lab/fixture.sh"
#     token=$(lab_token)
#     swaks --server "$LAB_HOST:$LAB_SMTP_PORT" --to bob@$LAB_DOMAIN --h-Subject "$token"
#     lab_wait_for_match bob "^Subject: $token" >/dev/null
#     tap_ok $? "bob got the message"
#     tap_done
#
# Tests run in parallel against the same lab: look for your own messages (a unique token in
# the subject, lab_wait_for_match) rather than counting or clearing a shared mailbox.

LAB_SH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lab.sh
MAILBENCH_LAB_DIR=${top_builddir:-$PWD}/tests/lab-state
MAILBENCH_LAB_BASE=${MAILBENCH_LAB_BASE:-20000}
export MAILBENCH_LAB_DIR MAILBENCH_LAB_BASE LAB_SH

tap_n=0
tap_failed=0

# tap_ok STATUS DESCRIPTION: one test point, passing when STATUS is 0 (an exit status)
tap_ok()
{
	local status=$1
	shift
	tap_n=$((tap_n + 1))
	if [ "$status" = 0 ]; then
		echo "ok $tap_n - $*"
		return 0
	fi
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $*"
	return 1
}

# tap_check DESCRIPTION CMD [ARGS...]: one test point, passing when CMD succeeds; CMD's
# output goes to stderr (the test's log), away from the TAP stream
tap_check()
{
	local desc=$1
	shift
	"$@" >&2
	tap_ok $? "$desc"
}

# tap_is GOT WANT DESCRIPTION: passing when the strings are equal, else shows both
tap_is()
{
	if [ "$1" = "$2" ]; then
		tap_ok 0 "$3"
		return 0
	fi
	tap_ok 1 "$3"
	tap_diag "got:  '$1'"
	tap_diag "want: '$2'"
	return 1
}

# tap_like GOT REGEX DESCRIPTION: passing when GOT matches the extended regex REGEX
tap_like()
{
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		tap_ok 0 "$3"
		return 0
	fi
	tap_ok 1 "$3"
	tap_diag "got:  '$1'"
	tap_diag "want match for: /$2/"
	return 1
}

# tap_unlike GOT REGEX DESCRIPTION: passing when GOT does not match REGEX
tap_unlike()
{
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		tap_ok 1 "$3"
		tap_diag "got:  '$1'"
		tap_diag "want no match for: /$2/"
		return 1
	fi
	tap_ok 0 "$3"
}

# tap_diag MSG...: a TAP comment (each line prefixed with '# ')
tap_diag()
{
	printf '%s\n' "$*" | sed 's/^/# /'
}

# lab_diag MSG...: a helper's diagnostic, on stderr (helpers' stdout is often captured)
lab_diag()
{
	printf '%s\n' "$*" | sed 's/^/# /' >&2
}

# tap_bail MSG...: abort the whole test ("Bail out!")
tap_bail()
{
	echo "Bail out! $*"
	exit 1
}

# tap_done: print the plan; exit 0 when every test point passed, else 1
tap_done()
{
	echo "1..$tap_n"
	[ "$tap_failed" = 0 ] || exit 1
	exit 0
}

# lab_password USER: print USER's password (from the lab's secrets)
lab_password()
{
	local pw
	read -r pw <"$MAILBENCH_LAB_DIR/secrets/$1" || return 1
	printf '%s\n' "$pw"
}

# lab_maildir USER: print the path of USER's Maildir
lab_maildir()
{
	printf '%s\n' "$MAILBENCH_LAB_DIR/spool/mail/$1/Maildir"
}

# lab_mail_count USER: print the number of messages in USER's INBOX (new/ and cur/)
lab_mail_count()
{
	local dir
	dir=$(lab_maildir "$1")
	find "$dir/new" "$dir/cur" -maxdepth 1 -type f 2>/dev/null | wc -l
}

# lab_wait_for_mail USER COUNT [TIMEOUT]: wait (10 s by default) until USER's INBOX holds
# at least COUNT messages
lab_wait_for_mail()
{
	local user=$1 want=$2 timeout=${3:-10} n=0
	for _ in $(seq 1 $((timeout * 10))); do
		n=$(lab_mail_count "$user")
		[ "$n" -ge "$want" ] && return 0
		sleep 0.1
	done
	lab_diag "$user has $n message(s) after ${timeout}s, wanted $want"
	return 1
}

# lab_wait_for_file USER REGEX [TIMEOUT]: wait (10 s by default) for a message in USER's
# INBOX with a line matching the extended regex REGEX; print its file name in the Maildir.
# The name holds only for a moment: Dovecot renames a file (new/ to cur/, flags in the name)
# whenever a test running alongside opens the mailbox. To read the file, lab_wait_for_match.
lab_wait_for_file()
{
	local user=$1 re=$2 timeout=${3:-10} dir f
	dir=$(lab_maildir "$user")
	for _ in $(seq 1 $((timeout * 10))); do
		f=$(find "$dir/new" "$dir/cur" -maxdepth 1 -type f -print0 2>/dev/null |
			xargs -0 -r grep -El -- "$re" 2>/dev/null | head -n 1)
		if [ -n "$f" ]; then
			printf '%s\n' "$f"
			return 0
		fi
		sleep 0.1
	done
	lab_diag "no message matching /$re/ for $user after ${timeout}s"
	return 1
}

# lab_wait_for_match USER REGEX [TIMEOUT]: as lab_wait_for_file, but print the name of a copy
# of the message (owner and mode kept), which stays put while the test reads it
lab_wait_for_match()
{
	local user=$1 re=$2 timeout=${3:-10} f copy
	mkdir -p "$MAILBENCH_LAB_DIR/matched"
	copy=$(mktemp "$MAILBENCH_LAB_DIR/matched/$user.XXXXXX") || return 1
	for _ in 1 2 3 4 5; do
		f=$(lab_wait_for_file "$user" "$re" "$timeout") || break
		if cp -p "$f" "$copy" 2>/dev/null; then
			printf '%s\n' "$copy"
			return 0
		fi
		# renamed between the look and the copy: look again
	done
	rm -f "$copy"
	return 1
}

# lab_count_subject USER TEXT: how many messages of USER's INBOX have TEXT in their Subject,
# counted by Dovecot (a count of the Maildir's files could see a message twice, or not at
# all, when Dovecot moves it from new/ to cur/ between the two directory reads)
lab_count_subject()
{
	doveadm -c "$MAILBENCH_LAB_DIR/etc/dovecot/dovecot.conf" search -u "$1" \
		mailbox INBOX subject "$2" | wc -l
}

# lab_clear_mailbox USER: expunge every message of every folder of USER, through Dovecot
# (safe while IMAP/POP3 sessions are open)
lab_clear_mailbox()
{
	doveadm -c "$MAILBENCH_LAB_DIR/etc/dovecot/dovecot.conf" expunge -u "$1" mailbox '*' all
}

# lab_token: print a string unique to this call, for subjects and message bodies
lab_token()
{
	printf 'mbt-%s-%s-%s\n' "$(date +%s%N)" "$$" "$RANDOM"
}

"$LAB_SH" start -q || tap_bail "cannot start the mailbench lab in $MAILBENCH_LAB_DIR"
set -a
eval "$("$LAB_SH" env)" || tap_bail "cannot read the lab's variables ($LAB_SH env)"
set +a
