# tests/faultserver: a scripted, misbehaving SMTP/POP3/IMAP server for the fault tests
# (Python 3 stdlib, a test tool only), its shell helpers, its script library and its
# self-test. selftest.sh also checks that every file under scripts/ is listed here.
TESTS += tests/faultserver/selftest.sh
EXTRA_DIST += \
	tests/faultserver/README.md \
	tests/faultserver/fault.sh \
	tests/faultserver/faultserver.py \
	tests/faultserver/fsclient.py \
	tests/faultserver/selftest.sh \
	tests/faultserver/scripts/imap-basic.script \
	tests/faultserver/scripts/imap-data-before-greeting.script \
	tests/faultserver/scripts/imap-duplicate-uids.script \
	tests/faultserver/scripts/imap-literal-2gb.script \
	tests/faultserver/scripts/imap-literal-4gb.script \
	tests/faultserver/scripts/imap-preauth.script \
	tests/faultserver/scripts/imap-reset-mid-literal.script \
	tests/faultserver/scripts/imap-starttls-injection.script \
	tests/faultserver/scripts/imap-uids-not-ascending.script \
	tests/faultserver/scripts/lib/imap-handlers.inc \
	tests/faultserver/scripts/lib/msg-dots.eml \
	tests/faultserver/scripts/lib/msg1.eml \
	tests/faultserver/scripts/lib/msg2.eml \
	tests/faultserver/scripts/lib/pop3-handlers.inc \
	tests/faultserver/scripts/lib/smtp-auth-fails.inc \
	tests/faultserver/scripts/lib/smtp-handlers.inc \
	tests/faultserver/scripts/pop3-bare-lf.script \
	tests/faultserver/scripts/pop3-basic.script \
	tests/faultserver/scripts/pop3-dot-stuffed.script \
	tests/faultserver/scripts/pop3-duplicate-uidl.script \
	tests/faultserver/scripts/pop3-list-lies.script \
	tests/faultserver/scripts/pop3-no-uidl.script \
	tests/faultserver/scripts/pop3-octets-lies.script \
	tests/faultserver/scripts/pop3-reset-mid-retr.script \
	tests/faultserver/scripts/pop3-stls-injection.script \
	tests/faultserver/scripts/smtp-1mb-reply-line.script \
	tests/faultserver/scripts/smtp-421-greeting.script \
	tests/faultserver/scripts/smtp-4xx-after-data-then-ok.script \
	tests/faultserver/scripts/smtp-4xx-then-ok.script \
	tests/faultserver/scripts/smtp-auth-535-starttls.script \
	tests/faultserver/scripts/smtp-auth-535.script \
	tests/faultserver/scripts/smtp-basic.script \
	tests/faultserver/scripts/smtp-data-before-greeting.script \
	tests/faultserver/scripts/smtp-double-greeting.script \
	tests/faultserver/scripts/smtp-endless-line.script \
	tests/faultserver/scripts/smtp-greeting-lf-only.script \
	tests/faultserver/scripts/smtp-invalid-codes.script \
	tests/faultserver/scripts/smtp-mixed-codes.script \
	tests/faultserver/scripts/smtp-multiline-1000.script \
	tests/faultserver/scripts/smtp-multiline-100000.script \
	tests/faultserver/scripts/smtp-never-answers.script \
	tests/faultserver/scripts/smtp-no-starttls.script \
	tests/faultserver/scripts/smtp-rcpt-one-of-three-refused-nopipelining.script \
	tests/faultserver/scripts/smtp-rcpt-one-of-three-refused-pipelining.script \
	tests/faultserver/scripts/smtp-reset-mid-data-big.script \
	tests/faultserver/scripts/smtp-reset-mid-data.script \
	tests/faultserver/scripts/smtp-silent-after-dot.script \
	tests/faultserver/scripts/smtp-size-limit.script \
	tests/faultserver/scripts/smtp-slow-trickle.script \
	tests/faultserver/scripts/smtp-split-reply.script \
	tests/faultserver/scripts/smtp-starttls-injection.script \
	tests/faultserver/scripts/smtp-starttls-refused.script \
	tests/faultserver/scripts/smtp-starttls-reject.script \
	tests/faultserver/scripts/smtp-truncated-greeting.script \
	tests/faultserver/scripts/smtps-basic.script \
	tests/faultserver/scripts/tls-reject.script
