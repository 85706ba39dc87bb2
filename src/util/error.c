/*
 * error.c: struct mb_error helpers (see include/mailbench/error.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "mailbench/error.h"

int
mb_error_vset(struct mb_error *err, enum mb_err kind, const char *fmt, va_list ap)
{
	char tmp[MB_ERROR_MSG_MAX];

	if (err == NULL)
		return -1;
	/* format aside first: the arguments may be err->msg itself */
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	err->kind = kind;
	memcpy(err->msg, tmp, sizeof tmp);
	return -1;
}

int
mb_error_set(struct mb_error *err, enum mb_err kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mb_error_vset(err, kind, fmt, ap);
	va_end(ap);
	return -1;
}

int
mb_error_prefix(struct mb_error *err, const char *fmt, ...)
{
	char old[MB_ERROR_MSG_MAX];
	size_t n;
	va_list ap;

	if (err == NULL)
		return -1;
	memcpy(old, err->msg, sizeof old);
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	n = strlen(err->msg);
	/* append ": old", cut at the buffer's end */
	if (n + 2 < sizeof err->msg) {
		memcpy(err->msg + n, ": ", 2);
		n += 2;
		old[sizeof old - 1 - n] = '\0';
		memcpy(err->msg + n, old, strlen(old) + 1);
	}
	return -1;
}

void
mb_error_clear(struct mb_error *err)
{
	if (err == NULL)
		return;
	err->kind = MB_OK;
	err->msg[0] = '\0';
}

const char *
mb_err_name(enum mb_err kind)
{
	static const char *const names[] = {
	        [MB_OK] = "ok",
	        [MB_ERR_INTERNAL] = "internal",
	        [MB_ERR_USAGE] = "usage",
	        [MB_ERR_CONFIG] = "config",
	        [MB_ERR_IO] = "io",
	        [MB_ERR_STORE] = "cache",
	        [MB_ERR_BUSY] = "busy",
	        [MB_ERR_NOTFOUND] = "not found",
	        [MB_ERR_CONN] = "connection",
	        [MB_ERR_TLS] = "tls",
	        [MB_ERR_TIMEOUT] = "timeout",
	        [MB_ERR_CANCEL] = "cancelled",
	        [MB_ERR_PROTO] = "protocol",
	        [MB_ERR_AUTH] = "auth",
	        [MB_ERR_RESP] = "refused",
	        [MB_ERR_TOOBIG] = "too big",
	        [MB_ERR_INPUT] = "input",
	};

	if ((unsigned)kind >= sizeof names / sizeof names[0] || names[kind] == NULL)
		return "unknown";
	return names[kind];
}
