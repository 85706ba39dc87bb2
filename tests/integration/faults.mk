# tests/integration: fault tests (mailbench against the scripted fault server of
# tests/faultserver, SMTP, POP3, IMAP) and TLS verification tests (the lab's certificates;
# a TLS 1.1-only openssl s_server). Each prints how many fault cases ran and passed.
# fault_lib.sh is their shared helper, not a test.
FAULT_TESTS = \
	tests/integration/fault_smtp_replies.sh \
	tests/integration/fault_smtp_send.sh \
	tests/integration/fault_smtp_security.sh \
	tests/integration/fault_pop3.sh \
	tests/integration/fault_imap.sh \
	tests/integration/tls_certs.sh \
	tests/integration/tls_version.sh
TESTS += $(FAULT_TESTS)
EXTRA_DIST += $(FAULT_TESTS) tests/integration/fault_lib.sh

# make fault-figures: the fault-case figures of the last `make check` (from the tests' logs)
fault-figures:
	@for t in $(FAULT_TESTS:.sh=.log); do \
		test -f "$$t" && grep -h 'fault cases passed' "$$t" || echo "$$t: not run"; \
	done
.PHONY: fault-figures
