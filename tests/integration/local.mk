# tests/integration: mailbench against the lab's real servers
TESTS += \
	tests/integration/smtp_lab.sh \
	tests/integration/fetch_lab.sh \
	tests/integration/crash_lab.sh
EXTRA_DIST += \
	tests/integration/common.sh \
	tests/integration/lab_send.py \
	tests/integration/mbsource.py \
	tests/integration/fetch_lab.sh \
	tests/integration/crash_lab.sh \
	tests/integration/smtp_lab.sh
