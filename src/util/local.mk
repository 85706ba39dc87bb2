# src/util: leaf helpers every layer may use (no libetpan, ncurses or SQLite)
libmailbench_a_SOURCES += \
	src/util/addr.c \
	src/util/base64.c \
	src/util/buf.c \
	src/util/error.c \
	src/util/fileio.c \
	src/util/mutf7.c \
	src/util/testhook.c \
	src/util/xalloc.c
noinst_HEADERS += \
	include/mailbench/addr.h \
	include/mailbench/base64.h \
	include/mailbench/buf.h \
	include/mailbench/error.h \
	include/mailbench/fileio.h \
	include/mailbench/mutf7.h \
	include/mailbench/testhook.h \
	include/mailbench/xalloc.h
