# tests/integration: mailbench against the lab's real servers
TESTS += \
	tests/integration/smtp_lab.sh
EXTRA_DIST += \
	tests/integration/common.sh \
	tests/integration/smtp_lab.sh
