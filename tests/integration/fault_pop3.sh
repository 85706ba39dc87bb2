#!/bin/bash
# fault_pop3.sh: mailbench fetch --protocol pop3 against POP3 servers that misbehave
# (tests/faultserver scripts): LIST sizes that lie, no UIDL, a STLS response injection, a
# reset in the middle of RETR (with --delete) and a retry, duplicate UIDLs, leading dots
# in awkward segments, a bare LF in a message. Checks the exit
# status, the error or warning in the transcript, what was stored (nothing half-written, no
# message row from an aborted batch), what the server received (no DELE for what is not
# safely stored, nothing after an injection), memory bounds, and no crash.
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

case_begin "control: a well-behaved server"
if fl_start "$FS_SCRIPTS/pop3-basic.script" --timeout 20; then
	mb_config
	mb_fetch pop3
	t_no_crash
	t_rc 0
	t_msgs 1
	t_source_is "SELECT message_id FROM message_raw" "$MSG1" "the message is stored byte for byte"
	t_said 'PASS <masked' "the transcript masks the password"
	t_secret_absent "$OUT" "$ERR" "$DB" "$DB-wal"
	t_rec_crlf
	t_integrity
	fl_server_ok
fi
case_end

case_begin "RETR's status line claims 2^64 - 1 octets and more, and 283 bytes come"
if fl_start "$FS_SCRIPTS/pop3-octets-lies.script" --timeout 20; then
	mb_config
	mb_fetch pop3
	t_no_crash
	t_rc 0
	t_msgs 3
	t_is "$(sql "SELECT group_concat(source_len) FROM message_raw")" "283,283,283" \
		"each message is what came, 283 bytes"
	t_rss 65536
	t_integrity
	fl_server_ok
fi
case_end

case_begin "LIST says 100 bytes, RETR sends 1.9 MB"
if fl_start "$FS_SCRIPTS/pop3-list-lies.script" --timeout 20; then
	mb_config
	mb_fetch pop3
	t_no_crash
	t_rc 0
	t_said 'though LIST said 100' "the transcript warns that LIST's size was wrong"
	t_msgs 1
	t_is "$(sql "SELECT source_len > 1800000 FROM message_raw")" 1 "the whole message is stored"
	t_rss 65536
	t_integrity
	fl_server_ok
fi
case_end

case_begin "no UIDL"
if fl_start "$FS_SCRIPTS/pop3-no-uidl.script" --timeout 20; then
	mb_config
	mb_fetch pop3
	t_no_crash
	t_rc 0
	t_said 'told apart by' "the transcript says how messages are told apart without UIDL"
	t_msgs 1
	t_source_is "SELECT message_id FROM message_raw" "$MSG1" "the message is stored byte for byte"
	t_rec_lacks 'DELE' "nothing deleted"
	t_integrity
	fl_server_ok
	if fl_start "$FS_SCRIPTS/pop3-no-uidl.script" --timeout 20; then
		mb_config
		mb_fetch pop3
		t_rc 0
		t_said ' 0 new' "a second fetch knows the message without UIDL (0 new)"
		t_msgs 1
		t_rec_lacks 'RETR' "nothing retrieved twice"
		fl_server_ok
	fi
fi
case_end

case_begin "STLS response injection"
if fl_start "$FS_SCRIPTS/pop3-stls-injection.script" --timeout 40; then
	mb_config pop3_security=starttls
	mb_fetch pop3
	t_no_crash
	t_rc 5 9
	t_err_said 'injection' "the error names the STARTTLS/STLS injection"
	t_rec_only 'CAPA|STLS' "nothing but CAPA and STLS was sent (no handshake, no USER/PASS)"
	t_rec_lacks "$FL_PASSWORD" "no password"
	t_msgs 0
	t_integrity
	fl_server_ok
fi
case_end

case_begin "reset in the middle of RETR (--delete), then a retry"
if fl_start "$FS_SCRIPTS/pop3-reset-mid-retr.script" --timeout 20; then
	mb_config
	mb_fetch pop3 --delete
	t_no_crash
	t_rc 4
	t_err_said 'reset|broke|closed' "the error says the connection broke"
	t_msgs 0
	t_rec_lacks 'DELE' "no DELE for a message not stored"
	t_like "$(sql "SELECT result, error != '' FROM sessions")" '^error\|1$' \
		"the session is stored as failed, with its error"
	t_integrity
	fl_server_ok
	if fl_start "$FS_SCRIPTS/pop3-basic.script" --timeout 20; then
		mb_config
		mb_fetch pop3 --delete
		t_no_crash
		t_rc 0
		t_msgs 1
		t_source_is "SELECT message_id FROM message_raw" "$MSG1" "the retry stores the whole message"
		t_like "$(rec_lines | grep -a -E '^(RETR|DELE)' | tr '\n' ' ')" '^RETR 1 DELE 1 $' \
			"the retry deletes the message only after retrieving it"
		t_integrity
		fl_server_ok
	fi
fi
case_end

case_begin "two messages share one UIDL"
if fl_start "$FS_SCRIPTS/pop3-duplicate-uidl.script" --timeout 20; then
	mb_config
	mb_fetch pop3
	t_no_crash
	t_rc 0
	t_said 'not unique' "the transcript warns that the UIDLs are not unique"
	t_msgs 3
	t_is "$(sql "SELECT count(DISTINCT uidl) FROM messages")" 3 "three distinct keys: nothing merged"
	t_is "$(sql "SELECT count(*) FROM messages WHERE subject = 'faultserver test message two'")" 1 \
		"the second message is not overwritten by the first"
	t_rec_lacks 'DELE' "nothing deleted on the strength of a duplicated id"
	t_integrity
	fl_server_ok
	if fl_start "$FS_SCRIPTS/pop3-duplicate-uidl.script" --timeout 20; then
		mb_config
		mb_fetch pop3
		t_rc 0
		t_said ' 0 new' "a second fetch finds nothing new"
		t_msgs 3
		fl_server_ok
	fi
fi
case_end

case_begin "leading dots, in segments cut at awkward places"
if fl_start "$FS_SCRIPTS/pop3-dot-stuffed.script" --timeout 20; then
	mb_config
	mb_fetch pop3
	t_no_crash
	t_rc 0
	t_msgs 1
	t_source_is "SELECT message_id FROM message_raw" "$FS_SCRIPTS/lib/msg-dots.eml" \
		"the stuffing dots are taken off, one per line, and nothing else changes"
	t_integrity
	fl_server_ok
fi
case_end

case_begin "a bare LF in the middle of a message"
if fl_start "$FS_SCRIPTS/pop3-bare-lf.script" --timeout 20; then
	mb_config
	mb_fetch pop3
	t_no_crash
	t_rc 9
	t_err_said 'bare LF' "the error names the bare LF"
	t_msgs 0
	t_integrity
	fl_server_ok
fi
case_end

fl_done "POP3"
