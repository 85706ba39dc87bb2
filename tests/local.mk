# tests: unit tests (C, TAP), integration tests against the lab (shell, TAP)
UNIT_LDADD = $(MB_LIBS)

check_PROGRAMS += tests/unit/test_buf
tests_unit_test_buf_LDADD = $(UNIT_LDADD)
noinst_HEADERS += tests/unit/tap.h

TESTS += tests/unit/test_buf

check_PROGRAMS += tests/unit/test_tap
tests_unit_test_tap_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_tap

check_PROGRAMS += tests/unit/test_compose
tests_unit_test_compose_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_compose

check_PROGRAMS += tests/unit/test_event
tests_unit_test_event_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_event

check_PROGRAMS += tests/unit/test_envelope
tests_unit_test_envelope_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_envelope
include tests/lab/local.mk
include tests/faultserver/local.mk
include tests/tui/local.mk
