#!/bin/bash
# fault_imap.sh: mailbench fetch --protocol imap against IMAP servers that misbehave
# (tests/faultserver scripts): a PREAUTH greeting when TLS is required, a STARTTLS response
# injection, literals announced as 2 GB and 4 GB, a reset in the middle of a literal and a
# retry, duplicate and descending UIDs, data before the greeting. Checks the exit status,
# the error, what was stored (nothing half-written, nothing overwritten, no message row from
# an aborted batch), what the server received, memory bounds, and no crash.
set -u
# shellcheck source=tests/integration/fault_lib.sh
. "${top_srcdir:?run me from make check}/tests/integration/fault_lib.sh"

MSG1=$FS_SCRIPTS/lib/msg1.eml

# t_msgs N: N message rows, N raw sources, mailbox counters agree
t_msgs()
{
	t_is "$(sql "SELECT (SELECT count(*) FROM messages), (SELECT count(*) FROM message_raw),
		(SELECT coalesce(sum(total), 0) FROM mailboxes)")" "$1|$1|$1" \
		"$1 message(s) in the cache, with their sources, counted right"
}

# t_no_claim: the summary line claims no message that the cache does not hold
t_no_claim()
{
	t_not_said '[1-9][0-9]* new message' "the summary claims no new message (none was stored)"
}

# prime: a first, normal fetch (imap-basic: UID 1 = msg1.eml) into the case's cache
prime()
{
	if fl_start "$FS_SCRIPTS/imap-basic.script" --timeout 20; then
		mb_config
		mb_fetch imap
		t_is "$RC/$(sql 'SELECT uid FROM messages')" "0/1" "a first fetch caches UID 1"
		fault_wait 5 >/dev/null
	fi
}

case_begin "control: a well-behaved server"
if fl_start "$FS_SCRIPTS/imap-basic.script" --timeout 20; then
	mb_config
	mb_fetch imap
	t_no_crash
	t_rc 0
	t_msgs 1
	t_source_is "SELECT message_id FROM message_raw" "$MSG1" "the message is stored byte for byte"
	t_said 'LOGIN alice <masked|AUTHENTICATE PLAIN <masked' "the transcript masks the password"
	t_secret_absent "$OUT" "$ERR" "$DB" "$DB-wal"
	t_rec_crlf
	t_integrity
	fl_server_ok
fi
case_end

case_begin "PREAUTH greeting, STARTTLS required"
if fl_start "$FS_SCRIPTS/imap-preauth.script" --timeout 20; then
	mb_config imap_security=starttls
	mb_fetch imap
	t_no_crash
	t_rc 5
	t_err_said 'PREAUTH' "the error names the PREAUTH greeting"
	t_rec_only '[^ ]+ (CAPABILITY|LOGOUT)' "the session was not used (at most CAPABILITY, LOGOUT)"
	t_msgs 0
	t_integrity
	fl_server_ok
fi
case_end

case_begin "STARTTLS response injection"
if fl_start "$FS_SCRIPTS/imap-starttls-injection.script" --timeout 40; then
	mb_config imap_security=starttls
	mb_fetch imap
	t_no_crash
	t_rc 5 9
	t_err_said 'injection' "the error names the STARTTLS injection"
	t_not_said 'ALERT\].*injected-response.*(refused|NO )|STARTTLS refused' \
		"the error does not call the server's OK a refusal"
	t_rec_only '[^ ]+ (CAPABILITY|STARTTLS)' "nothing sent after STARTTLS (no handshake, no LOGIN)"
	t_rec_lacks "$FL_PASSWORD" "no password"
	t_msgs 0
	t_integrity
	fl_server_ok
fi
case_end

for size in 2147483648 4294967295; do
	case_begin "literal announced as $size bytes"
	script=imap-literal-2gb
	[ "$size" = 4294967295 ] && script=imap-literal-4gb
	if fl_start "$FS_SCRIPTS/$script.script" --timeout 20; then
		mb_config
		FL_ULIMIT_V=1048576 mb_fetch imap
		t_no_crash
		t_rc 9
		t_err_said "literal of $size bytes" "the error names the announced literal and the limit"
		t_rss 65536
		t_fast 3000 "refused at once"
		t_msgs 0
		t_no_claim
		t_integrity
		fl_server_ok
	fi
	case_end
done

case_begin "reset in the middle of a literal, then a retry"
if fl_start "$FS_SCRIPTS/imap-reset-mid-literal.script" --timeout 20; then
	mb_config
	mb_fetch imap
	t_no_crash
	t_rc 4
	t_err_said 'reset|broke|closed' "the error says the connection broke"
	t_msgs 0
	t_no_claim
	t_like "$(sql "SELECT result, error != '' FROM sessions")" '^error\|1$' \
		"the session is stored as failed, with its error"
	t_integrity
	fl_server_ok
	if fl_start "$FS_SCRIPTS/imap-basic.script" --timeout 20; then
		mb_config
		mb_fetch imap
		t_no_crash
		t_rc 0
		t_msgs 1
		t_source_is "SELECT message_id FROM message_raw" "$MSG1" "the retry stores the whole message"
		t_integrity
		fl_server_ok
	fi
fi
case_end

# duplicate or descending UIDs: into an empty cache (the body FETCH meets them), and into a
# cache that holds UID 1 already (the flag check meets them); nothing may be overwritten
for script in imap-duplicate-uids imap-uids-not-ascending; do
	for cache in empty primed; do
		if [ "$script" = imap-duplicate-uids ]; then
			what="two messages with the same UID" why='duplicate'
		else
			what="UIDs not ascending (9, 4, 12)" why='not ascending'
		fi
		case_begin "$what, $cache cache"
		if [ "$cache" = primed ]; then
			prime
		fi
		if fl_start "$FS_SCRIPTS/$script.script" --timeout 20; then
			mb_config
			mb_fetch imap
			t_no_crash
			t_rc 9
			t_err_said "$why" "the error says the UIDs are $why"
			if [ "$cache" = primed ]; then
				t_msgs 1
				t_source_is "SELECT r.message_id FROM message_raw r JOIN messages m
					ON m.id = r.message_id WHERE m.uid = 1" "$MSG1" \
					"the message cached before is untouched"
			else
				t_msgs 0
			fi
			t_is "$(sql 'SELECT count(*) FROM messages WHERE uid IN (4, 7, 9, 12)')" 0 \
				"nothing stored under the server's bad UIDs"
			t_rec_lacks 'STORE' "no flag change based on them"
			t_rec_lacks 'EXPUNGE' "no expunge based on them"
			t_no_claim
			t_integrity
			fl_server_ok
		fi
		case_end
	done
done

case_begin "data before the greeting"
if fl_start "$FS_SCRIPTS/imap-data-before-greeting.script" --timeout 20; then
	mb_config
	mb_fetch imap
	t_no_crash
	t_rc 9
	t_err_said 'greeting' "the error names the greeting"
	t_rec_lacks 'LOGIN' "no login"
	t_rec_lacks "$FL_PASSWORD" "no password"
	t_msgs 0
	t_integrity
	fl_server_ok
fi
case_end

fl_done "IMAP"
