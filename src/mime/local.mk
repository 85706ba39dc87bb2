# src/mime: the outgoing message builder (the incoming parser is in parse.mk)
libmailbench_a_SOURCES += \
	src/mime/addrlist.c \
	src/mime/build.c \
	src/mime/encode.c \
	src/mime/mimetype.c
noinst_HEADERS += \
	include/mailbench/compose.h \
	src/mime/compose_private.h
