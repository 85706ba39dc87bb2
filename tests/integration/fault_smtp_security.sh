#!/bin/bash
# fault_smtp_security.sh: mailbench send against SMTP servers that attack or weaken the
# session (tests/faultserver scripts): a STARTTLS response injection, STARTTLS refused or
# not offered when the account requires TLS (no plain-text fall-back), and AUTH failing
# with 535 (PLAIN, LOGIN, and after STARTTLS). Checks the exit status, the error, that
# nothing was sent after the attack (the server's record), and that the password and its
# base64 forms appear nowhere but on the wire: not in stdout, stderr, the stored
# transcript or the cache file.
set -u
# shellcheck source=tests/integration/fault_lib.sh
. "${top_srcdir:?run me from make check}/tests/integration/fault_lib.sh"

# t_tls_refused_checks: the outbox and cache after a session that never got to MAIL
t_unsent_checks()
{
	t_outbox_unsent
	t_integrity
	t_secret_absent "$OUT" "$ERR" "$DB" "$DB-wal" "$DB-journal"
}

case_begin "STARTTLS response injection"
if fl_start "$FS_SCRIPTS/smtp-starttls-injection.script" --timeout 40; then
	mb_config smtp_security=starttls
	mb_send_auth
	t_no_crash
	t_rc 5 9
	t_err_said 'injection' "the error names the STARTTLS injection"
	t_rec_only 'EHLO .*|STARTTLS' "nothing but EHLO and STARTTLS was sent (no handshake, no QUIT)"
	t_rec_lacks 'AUTH' "no AUTH"
	t_rec_lacks "$FL_PASSWORD" "no password"
	t_outbox_kind 'protocol|tls'
	t_unsent_checks
	fl_server_ok
fi
case_end

case_begin "STARTTLS refused (454), TLS required"
if fl_start "$FS_SCRIPTS/smtp-starttls-refused.script" --timeout 20; then
	mb_config smtp_security=starttls
	mb_send_auth
	t_no_crash
	t_rc 5
	t_err_said 'refused STARTTLS.*454' "the error quotes the refusal"
	t_rec_only 'EHLO .*|STARTTLS|QUIT' "nothing after STARTTLS but at most QUIT (no plain-text fall-back)"
	t_rec_lacks 'AUTH' "no AUTH in plain text"
	t_outbox_kind tls
	t_unsent_checks
	fl_server_ok
fi
case_end

case_begin "STARTTLS not offered, TLS required"
if fl_start "$FS_SCRIPTS/smtp-no-starttls.script" --timeout 20; then
	mb_config smtp_security=starttls
	mb_send_auth
	t_no_crash
	t_rc 5
	t_err_said 'does not offer STARTTLS' "the error says STARTTLS is not offered"
	t_rec_only 'EHLO .*|QUIT' "nothing after EHLO but at most QUIT (no plain-text fall-back)"
	t_outbox_kind tls
	t_unsent_checks
	fl_server_ok
fi
case_end

# t_auth_failed: the checks after an AUTH refused with 535
t_auth_failed()
{
	t_no_crash
	t_rc 6
	t_err_said '535' "the 535 reply is quoted"
	t_err_said 'password' "the failure card suggests checking the password"
	t_rec_lacks 'MAIL FROM' "no mail after the failed login"
	t_outbox_kind auth
	t_like "$(sql "SELECT group_concat(CAST(text AS TEXT), ' ') FROM transcript_lines WHERE direction = 'client'")" \
		'<masked' "the stored transcript shows the AUTH line masked"
	t_unsent_checks
}

case_begin "AUTH PLAIN refused with 535"
if fl_start "$FS_SCRIPTS/smtp-auth-535.script" --timeout 20; then
	mb_config
	mb_send_auth --auth PLAIN
	t_auth_failed
	t_rec_has "$(fl_secret_forms | sed -n 3p)" "(the record holds the AUTH PLAIN blob: the check above is real)"
	fl_server_ok
fi
case_end

case_begin "AUTH LOGIN refused with 535"
if fl_start "$FS_SCRIPTS/smtp-auth-535.script" --timeout 20; then
	mb_config
	mb_send_auth --auth LOGIN
	t_auth_failed
	t_rec_has "$(fl_secret_forms | sed -n 2p)" "(the record holds the base64 password: the check above is real)"
	fl_server_ok
fi
case_end

case_begin "AUTH refused with 535 after STARTTLS"
if fault_mkcert localhost && fl_start "$FS_SCRIPTS/smtp-auth-535-starttls.script" --timeout 20; then
	mb_config smtp_host=localhost smtp_security=starttls "ca_file=$FAULT_CA"
	mb_send_auth
	t_auth_failed
	t_said 'certificate verified' "the certificate was verified against the account's CA file"
	t_said 'capabilities learned before TLS are discarded' "the capabilities are asked again after TLS"
	t_is "$(rec_lines | grep -a -c '^EHLO ')" 2 "EHLO sent again after the handshake"
	t_rec_has "$(fl_secret_forms | sed -n 3p)" "(the record, decrypted, holds the AUTH PLAIN blob)"
	fl_server_ok
fi
FAULT_CERT=''
FAULT_KEY=''
case_end

# every file this test made (outputs, caches, transcripts), the server's own records,
# logs and the configs aside
case_begin "no secret anywhere in the outputs and caches"
leaks=$(fl_secret_forms | while IFS= read -r form; do
	grep -a -r -l -F -- "$form" "$FAULT_DIR" 2>/dev/null |
		grep -v -E '/(record|log|stderr)\.[0-9]+$|/config$|/certs-'
done | sort -u)
t_is "$leaks" "" "no password or base64 form in any output or cache file"
case_end

fl_done "SMTP security"
