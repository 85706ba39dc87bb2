#!/bin/bash
# fault_smtp_replies.sh: mailbench send against SMTP servers whose greeting or replies are
# broken (tests/faultserver scripts): refused, truncated, bare-LF, junk or doubled greetings,
# a 1 MB reply line, an endless line, 1000 and 100000-line replies, mixed and invalid codes,
# silence, a slow trickle, replies split across segments. Each case checks the exit status,
# the error message, the outbox row (kept, not sent), the cache's integrity, what the server
# received, time and memory bounds, and that nothing crashed (ASan/UBSan reports fail).
set -u
# shellcheck source=tests/integration/fault_lib.sh
. "${top_srcdir:?run me from make check}/tests/integration/fault_lib.sh"

# t_session_failed: the session is recorded as ended with an error, its transcript stored
t_session_failed()
{
	t_like "$(sql "SELECT result, error != '', ended_us > 0, nlines > 0 FROM sessions")" \
		'^error\|1\|1\|1$' "the session is stored as ended in error, with its transcript"
}

# t_failed_send KIND: the usual checks after a send that must fail with outbox kind KIND
t_failed_send()
{
	t_no_crash
	t_outbox_unsent
	t_outbox_kind "$1"
	t_session_failed
	t_integrity
}

# --- control: a well-behaved server -----------------------------------------------------

case_begin "control: a well-behaved server"
if fl_start "$FS_SCRIPTS/smtp-basic.script" --timeout 20; then
	mb_config
	mb_send
	t_no_crash
	t_rc 0
	t_is "$(sql 'SELECT status FROM outbox')" sent "the outbox row is marked sent after the 250"
	t_rec_stuffed
	t_rec_crlf
	t_rec_has "QUIT" "the session ended with QUIT"
	t_integrity
	fl_server_ok
	BASE_RSS_KB=$RSS_KB
fi
case_end
BASE_RSS_KB=${BASE_RSS_KB:-0}

# t_rss_growth MAX_KB: peak RSS at most MAX_KB above the control run (ASan: 4 times as much)
t_rss_growth()
{
	local max=$1 grow
	[ "$FL_ASAN" = 1 ] && max=$((max * 4))
	grow=$((RSS_KB - BASE_RSS_KB))
	t_le "$grow" "$max" "memory growth over a normal session bounded: $((grow / 1024)) MB (limit $((max / 1024)) MB)"
}

# --- the greeting ------------------------------------------------------------------------

case_begin "421 at the greeting"
if fl_start "$FS_SCRIPTS/smtp-421-greeting.script" --timeout 20; then
	mb_config
	mb_send
	t_rc 4
	t_err_said '421.*Service not available' "the 421 reply is quoted"
	t_err_said 'greeting' "the failure card names the greeting phase"
	t_failed_send 'refused|connection'
	t_is "$(wc -c <"$FAULT_RECORD")" 0 "nothing was sent to a server that refused service"
	fl_server_ok
fi
case_end

case_begin "truncated greeting ('220 slow g' then close)"
if fl_start "$FS_SCRIPTS/smtp-truncated-greeting.script" --timeout 20; then
	mb_config
	mb_send
	t_rc 4
	t_err_said 'closed.*middle of a line' "the error says the connection closed in the middle of a line"
	t_failed_send connection
	t_rec_lacks "EHLO" "no EHLO after an incomplete greeting"
	fl_server_ok
fi
case_end

case_begin "greeting ends in a bare LF"
if fl_start "$FS_SCRIPTS/smtp-greeting-lf-only.script" --timeout 20; then
	mb_config
	mb_send
	t_rc 9
	t_err_said 'bare LF' "the error names the bare LF"
	t_failed_send protocol
	t_rec_lacks "MAIL FROM" "no transaction with a server that breaks line ends"
	fl_server_ok
fi
case_end

case_begin "data before the greeting"
if fl_start "$FS_SCRIPTS/smtp-data-before-greeting.script" --timeout 20; then
	mb_config
	mb_send
	t_rc 9
	t_err_said 'not an SMTP reply' "the error says the line is not an SMTP reply"
	t_failed_send protocol
	t_rec_lacks "EHLO" "nothing sent after a junk greeting"
	fl_server_ok
fi
case_end

case_begin "double greeting in one segment"
if fl_start "$FS_SCRIPTS/smtp-double-greeting.script" --timeout 20; then
	mb_config
	mb_send
	t_rc 9
	t_err_said 'more after its greeting' "the error says the server sent more after its greeting"
	t_failed_send protocol
	t_rec_lacks "EHLO" "the second 220 is never taken as the EHLO reply"
	fl_server_ok
fi
case_end

# --- oversized replies -------------------------------------------------------------------

case_begin "1 MB reply line"
if fl_start "$FS_SCRIPTS/smtp-1mb-reply-line.script" --timeout 20; then
	mb_config
	mb_send
	t_rc 9
	t_err_said 'line longer than [0-9]+ bytes' "the error names the line limit"
	t_failed_send 'protocol|too big'
	t_rss 65536
	t_rss_growth 4096
	t_rec_lacks "MAIL FROM" "no transaction after the oversized reply"
	fl_server_ok
fi
case_end

case_begin "endless line (8 MB without a line end)"
if fl_start "$FS_SCRIPTS/smtp-endless-line.script" --timeout 20; then
	mb_config
	mb_send
	t_rc 9
	t_err_said 'line longer than [0-9]+ bytes' "the error names the line limit"
	t_failed_send 'protocol|too big'
	t_rss 65536
	t_rss_growth 4096
	t_fast 2500 "it gives up at the limit, without reading 8 MB first"
	fl_server_ok
fi
case_end

case_begin "1000-line EHLO reply (legitimate)"
if fl_start "$FS_SCRIPTS/smtp-multiline-1000.script" --timeout 20; then
	mb_config
	mb_send
	t_no_crash
	t_rc 0
	t_is "$(sql 'SELECT status FROM outbox')" sent "the message is sent and marked so"
	t_rec_stuffed
	t_integrity
	fl_server_ok
fi
case_end

case_begin "100000-line EHLO reply"
if fl_start "$FS_SCRIPTS/smtp-multiline-100000.script" --timeout 30; then
	mb_config
	mb_send
	t_rc 9
	t_err_said 'reply too long' "the error says the reply is too long"
	t_failed_send 'protocol|too big'
	t_rss 65536
	t_rss_growth 8192
	t_le "$(wc -l <"$ERR")" 40 "the failure card stays short ($(wc -l <"$ERR") lines on stderr)"
	t_rec_lacks "MAIL FROM" "no transaction after the oversized reply"
	fl_server_ok 20
fi
case_end

# --- bad codes ---------------------------------------------------------------------------

case_begin "mixed codes in one multi-line reply"
if fl_start "$FS_SCRIPTS/smtp-mixed-codes.script" --timeout 20; then
	mb_config
	mb_send
	t_rc 9
	t_err_said 'changed the reply code' "the error says the code changed inside the reply"
	t_failed_send protocol
	t_rec_lacks "MAIL FROM" "no transaction after a reply with mixed codes"
	fl_server_ok
fi
case_end

case_begin "invalid reply codes (2500, 99x, letters, -1, NUL)"
if fl_start "$FS_SCRIPTS/smtp-invalid-codes.script" --timeout 40 --record "$FAULT_DIR/invalid.%d"; then
	mb_config
	for what in '2500 ok' '99x what' 'abc letters' '-1 negative' 'NUL inside'; do
		rm -f "$DB" "$DB-wal" "$DB-shm" "$DB-journal"
		mb_send
		t_no_crash
		t_rc 9
		t_err_said 'not an SMTP reply' "'$what': the error says the greeting is not an SMTP reply"
		t_outbox_unsent
		t_integrity
	done
	t_is "$(cat "$FAULT_DIR"/invalid.* 2>/dev/null | wc -c)" 0 \
		"nothing sent to any of the five servers"
	fl_server_ok
fi
case_end

# --- time ----------------------------------------------------------------------------------

case_begin "a server that never answers"
if fl_start "$FS_SCRIPTS/smtp-never-answers.script" --timeout 20; then
	mb_config timeout=2
	mb_send
	t_rc 4
	t_err_said 'timed out' "the error says it timed out"
	t_failed_send timeout
	t_fast 4500 "the 2 s timeout fires in time"
	fl_server_ok
fi
case_end

case_begin "slow trickle greeting (one byte a second)"
if fl_start "$FS_SCRIPTS/smtp-slow-trickle.script" --timeout 50; then
	mb_config timeout=3
	mb_send
	t_rc 4
	t_err_said 'timed out' "the error says it timed out"
	t_failed_send timeout
	t_fast 5500 "the 3 s deadline fires although bytes keep coming"
	t_rec_lacks "EHLO" "no EHLO before a complete greeting"
	fl_server_ok 5
fi
case_end

case_begin "replies split across TCP segments"
if fl_start "$FS_SCRIPTS/smtp-split-reply.script" --timeout 20; then
	mb_config
	mb_send
	t_no_crash
	t_rc 0
	t_is "$(sql 'SELECT status FROM outbox')" sent "the message is sent and marked so"
	t_rec_stuffed
	t_rec_crlf
	t_integrity
	fl_server_ok
fi
case_end

fl_done "SMTP replies"
