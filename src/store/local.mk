# src/store: the SQLite cache (the only code that uses SQLite); see include/mailbench/store.h
libmailbench_a_SOURCES += \
	src/store/bulk.c \
	src/store/drafts.c \
	src/store/mailboxes.c \
	src/store/messages.c \
	src/store/outbox.c \
	src/store/pages.c \
	src/store/pins.c \
	src/store/raw.c \
	src/store/schema.c \
	src/store/search.c \
	src/store/sessions.c \
	src/store/fts.c \
	src/store/sources.c \
	src/store/sql.c \
	src/store/store.c
noinst_HEADERS += \
	include/mailbench/store.h \
	src/store/private.h

# unit tests of the cache (TAP)
check_PROGRAMS += tests/unit/test_store tests/unit/test_store_paging tests/unit/test_store_faults
tests_unit_test_store_LDADD = $(UNIT_LDADD)
tests_unit_test_store_paging_LDADD = $(UNIT_LDADD)
tests_unit_test_store_faults_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test_store tests/unit/test_store_paging tests/unit/test_store_faults
