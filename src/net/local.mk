# src/net: connections (TCP, TLS, STARTTLS), limits, deadlines and the transcript tap
libmailbench_a_SOURCES += \
	src/net/conn.c \
	src/net/stream.c \
	src/net/tap.c \
	src/net/tls.c
noinst_HEADERS += \
	include/mailbench/net.h \
	include/mailbench/tap.h \
	include/mailbench/transcript.h \
	src/net/private.h \
	src/net/stream.h
