# src/mime/parse.mk: mailbench's own parser and decoders for INCOMING mail
# (include/mailbench/mime.h) and the terminal sanitiser (include/mailbench/sanitize.h).
# No libetpan here: header blocks, MIME tree, RFC 2047/2231, QP/base64, iconv charsets,
# addresses, dates, HTML to text, safe file names, message summary and delivery trace.
libmailbench_a_SOURCES += \
	src/mime/address.c \
	src/mime/charset.c \
	src/mime/date.c \
	src/mime/decode.c \
	src/mime/filename.c \
	src/mime/header.c \
	src/mime/html.c \
	src/mime/params.c \
	src/mime/parse.c \
	src/mime/part.c \
	src/mime/rfc2047.c \
	src/mime/summary.c \
	src/mime/trace.c \
	src/util/sanitize.c
noinst_HEADERS += \
	include/mailbench/mime.h \
	include/mailbench/sanitize.h \
	src/mime/private.h

MIME_TESTS = \
	tests/unit/test_sanitize \
	tests/unit/test_mime_header \
	tests/unit/test_mime_decode \
	tests/unit/test_mime_rfc2047 \
	tests/unit/test_mime_params \
	tests/unit/test_mime_address \
	tests/unit/test_mime_date \
	tests/unit/test_mime_tree \
	tests/unit/test_mime_limits \
	tests/unit/test_mime_html \
	tests/unit/test_mime_filename \
	tests/unit/test_mime_summary
check_PROGRAMS += $(MIME_TESTS)
TESTS += $(MIME_TESTS)
tests_unit_test_sanitize_LDADD = $(UNIT_LDADD)
tests_unit_test_mime_header_LDADD = $(UNIT_LDADD)
tests_unit_test_mime_decode_LDADD = $(UNIT_LDADD)
tests_unit_test_mime_rfc2047_LDADD = $(UNIT_LDADD)
tests_unit_test_mime_params_LDADD = $(UNIT_LDADD)
tests_unit_test_mime_address_LDADD = $(UNIT_LDADD)
tests_unit_test_mime_date_LDADD = $(UNIT_LDADD)
tests_unit_test_mime_tree_LDADD = $(UNIT_LDADD)
tests_unit_test_mime_limits_LDADD = $(UNIT_LDADD)
tests_unit_test_mime_html_LDADD = $(UNIT_LDADD)
tests_unit_test_mime_filename_LDADD = $(UNIT_LDADD)
tests_unit_test_mime_summary_LDADD = $(UNIT_LDADD)

EXTRA_DIST += \
	tests/fuzz/README.md \
	tests/fuzz/fuzz_mime.c \
	tests/fuzz/fuzz_sanitize.c \
	tests/fuzz/corpus/mime \
	tests/fuzz/corpus/sanitize \
	tests/unit/data/mime
