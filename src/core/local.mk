# src/core: the event queue and jobs (config lives in config.mk)
libmailbench_a_SOURCES += \
	src/core/event.c \
	src/core/job.c
noinst_HEADERS += \
	include/mailbench/event.h \
	include/mailbench/job.h
