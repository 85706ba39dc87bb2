# src/core: the event queue and jobs (config lives in config.mk)
libmailbench_a_SOURCES += \
	src/core/envelope.c \
	src/core/event.c \
	src/core/send.c \
	src/core/sync.c \
	src/core/sync_imap.c \
	src/core/sync_pipe.c \
	src/core/sync_pop3.c \
	src/core/tstore.c \
	src/core/job.c
noinst_HEADERS += \
	include/mailbench/envelope.h \
	include/mailbench/event.h \
	include/mailbench/send.h \
	include/mailbench/sync.h \
	src/core/sync_private.h \
	include/mailbench/tstore.h \
	include/mailbench/job.h
