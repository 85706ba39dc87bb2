# tests: unit tests (C, TAP), integration tests against the lab (shell, TAP)
UNIT_LDADD = $(MB_LIBS)

check_PROGRAMS += tests/unit/test_buf
tests_unit_test_buf_LDADD = $(UNIT_LDADD)
noinst_HEADERS += tests/unit/tap.h

TESTS += tests/unit/test_buf
include tests/faultserver/local.mk
