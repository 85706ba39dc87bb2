#!/bin/bash
# tls_certs.sh: certificate verification (issue 6 item 4) with the lab's fault-test
# certificates served by the fault server over implicit TLS and STARTTLS: a certificate for
# the wrong host, an expired one, a self-signed one, one signed by a CA the client does not
# trust. Each must be refused by default (exit 5, a message saying which, nothing sent
# through TLS), and accepted only with the account's ca_file or tls_verify = no, the latter
# shown as a WARNING line in the live and the stored transcript. SMTP, IMAP and POP3.
set -u
# shellcheck source=tests/lab/fixture.sh
. "${top_srcdir:?run me from make check}/tests/lab/fixture.sh"
# shellcheck source=tests/integration/fault_lib.sh
. "$top_srcdir/tests/integration/fault_lib.sh"

CA=$MAILBENCH_LAB_DIR/ca
if ! { [ -s "$CA/wronghost.pem" ] && [ -s "$CA/expired.pem" ] && [ -s "$CA/selfsigned.pem" ] &&
	[ -s "$LAB_OTHER_CA" ]; }; then
	tap_bail "the lab has no fault-test certificates in $CA"
fi

# tls_start SCRIPT CERT: the fault server presenting $CA/CERT.pem
tls_start()
{
	fl_start "$FS_SCRIPTS/$1.script" --timeout 20 --tls-cert "$CA/$2.pem" --tls-key "$CA/$2.key"
}

# refused CERT CA_FILE REGEX WHAT: implicit-TLS SMTP refuses CERT, saying REGEX
refused()
{
	local cert=$1 ca=$2 re=$3
	case_begin "$4: refused by default"
	if tls_start tls-reject "$cert"; then
		mb_config smtp_host=localhost smtp_security=tls "ca_file=$ca"
		mb_send
		t_no_crash
		t_rc 5
		t_err_said "$re" "the error says why: /$re/"
		t_err_said 'not trusted' "the error says the certificate is not trusted"
		t_outbox_unsent
		t_outbox_kind tls
		t_integrity
		fl_server_ok
	fi
	case_end
}

refused wronghost "$LAB_CA" "not for 'localhost'" "certificate for the wrong host"
refused expired "$LAB_CA" "expired" "expired certificate"
refused selfsigned "$LAB_CA" "self-signed" "self-signed certificate"
refused server "$LAB_OTHER_CA" "unknown certificate authority" "certificate of an unknown CA (ca_file)"
refused server "" "unknown certificate authority" "certificate of an unknown CA (system store)"

# accepted CERT CA_FILE WHAT: implicit-TLS SMTP accepts CERT when told to trust CA_FILE
accepted()
{
	case_begin "$3: accepted with ca_file"
	if tls_start smtps-basic "$1"; then
		mb_config smtp_host=localhost smtp_security=tls "ca_file=$2"
		mb_send
		t_no_crash
		t_rc 0
		t_said 'certificate verified' "the transcript says the certificate was verified"
		t_not_said 'WARNING' "no warning"
		t_is "$(sql 'SELECT status FROM outbox')" sent "the message is sent"
		t_integrity
		fl_server_ok
	fi
	case_end
}

accepted server "$LAB_CA" "certificate of the lab CA"
accepted selfsigned "$CA/selfsigned.pem" "self-signed certificate, itself the ca_file"

# noverify CERT REGEX WHAT: accepted with tls_verify = no, warned about in both transcripts
noverify()
{
	case_begin "$3: accepted with tls_verify = no, with a warning"
	if tls_start smtps-basic "$1"; then
		mb_config smtp_host=localhost smtp_security=tls tls_verify=no
		mb_send
		t_no_crash
		t_rc 0
		t_said 'WARNING.*tls_verify = no' "the live transcript shows the account's warning"
		t_said "WARNING: certificate NOT verified.*$2" "the live transcript says what was not verified"
		t_like "$(sql "SELECT text FROM transcript_lines WHERE direction = 'tls' AND
			CAST(text AS TEXT) LIKE 'WARNING%'")" 'tls_verify = no' "the stored transcript keeps the warning"
		t_is "$(sql 'SELECT status FROM outbox')" sent "the message is sent"
		t_integrity
		fl_server_ok
	fi
	case_end
}

noverify wronghost "not for 'localhost'" "certificate for the wrong host"
noverify expired "expired" "expired certificate"
noverify selfsigned "self-signed" "self-signed certificate"

case_begin "wrong host over STARTTLS: refused, no AUTH"
if tls_start smtp-starttls-reject wronghost; then
	mb_config smtp_host=localhost smtp_security=starttls "ca_file=$LAB_CA"
	mb_send_auth
	t_no_crash
	t_rc 5
	t_err_said "not for 'localhost'" "the error says the certificate is for another host"
	t_rec_only 'EHLO .*|STARTTLS' "nothing sent but EHLO and STARTTLS (no AUTH, no plain-text fall-back)"
	t_secret_absent "$OUT" "$ERR" "$DB" "$DB-wal"
	t_outbox_unsent
	t_integrity
	fl_server_ok
fi
case_end

case_begin "IMAPS with an expired certificate"
if tls_start tls-reject expired; then
	mb_config imap_host=localhost imap_security=tls "ca_file=$LAB_CA"
	mb_fetch imap
	t_no_crash
	t_rc 5
	t_err_said 'expired' "the error says the certificate expired"
	t_is "$(sql 'SELECT count(*) FROM messages')" 0 "nothing stored"
	t_integrity
	fl_server_ok
fi
case_end

case_begin "POP3S with a self-signed certificate"
if tls_start tls-reject selfsigned; then
	mb_config pop3_host=localhost pop3_security=tls "ca_file=$LAB_CA"
	mb_fetch pop3
	t_no_crash
	t_rc 5
	t_err_said 'self-signed' "the error says the certificate is self-signed"
	t_is "$(sql 'SELECT count(*) FROM messages')" 0 "nothing stored"
	t_integrity
	fl_server_ok
fi
case_end

case_begin "the lab's submission port with another CA as ca_file"
mb_config smtp_host=localhost "smtp_port=$LAB_SUBMISSION_PORT" smtp_security=starttls \
	"ca_file=$LAB_OTHER_CA" password= "password_command=cat '$MAILBENCH_LAB_DIR/secrets/alice'"
mb_send_auth --to "bob@$LAB_DOMAIN"
t_no_crash
t_rc 5
t_err_said 'unknown certificate authority' "the real server's certificate is refused: unknown CA"
t_not_said 'C: +AUTH' "no AUTH was sent"
t_outbox_unsent
t_integrity
case_end

fl_done "TLS certificates"
