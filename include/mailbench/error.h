/*
 * error.h: how mailbench reports failure.
 *
 * Functions return 0 / -1 (or a pointer / NULL) and fill a caller's
 * struct mb_error with a kind and a one-line message. Messages follow the
 * house style: lower case, no full stop, failure first, subject quoted:
 *
 *     cannot connect to 'mx.example.org:587': connection refused
 *
 * Usage:
 *
 *     struct mb_error err = MB_ERROR_INIT;
 *     if (mb_config_load(path, &cfg, &err) < 0)
 *             fprintf(stderr, "mailbench: %s\n", err.msg);
 *
 * A NULL struct mb_error * is allowed everywhere: the detail is dropped.
 */
#ifndef MAILBENCH_ERROR_H
#define MAILBENCH_ERROR_H

#include <stdarg.h>

enum mb_err {
	MB_OK = 0,
	MB_ERR_INTERNAL, /* a bug or out of resources */
	MB_ERR_USAGE,    /* bad command line */
	MB_ERR_CONFIG,   /* bad configuration file or value */
	MB_ERR_IO,       /* local file or system call */
	MB_ERR_STORE,    /* the SQLite cache */
	MB_ERR_BUSY,     /* the cache is held by another process */
	MB_ERR_NOTFOUND, /* no such message, account, transcript */
	MB_ERR_CONN,     /* connect, reset, closed connection */
	MB_ERR_TLS,      /* handshake or certificate verification */
	MB_ERR_TIMEOUT,  /* a deadline passed */
	MB_ERR_CANCEL,   /* the user cancelled */
	MB_ERR_PROTO,    /* the server broke the protocol */
	MB_ERR_AUTH,     /* the server refused our credentials */
	MB_ERR_RESP,     /* the server refused a command (4xx/5xx, -ERR, NO) */
	MB_ERR_TOOBIG,   /* something exceeds a documented limit */
	MB_ERR_INPUT,    /* bad user input: an address, a header field */
};

#define MB_ERROR_MSG_MAX 512

struct mb_error {
	enum mb_err kind;
	char msg[MB_ERROR_MSG_MAX];
};

#define MB_ERROR_INIT     \
	{                 \
		MB_OK,    \
		{         \
			0 \
		}         \
	}

/* Set kind and message (printf format); returns -1 for `return mb_error_set(...)`. */
int mb_error_set(struct mb_error *err, enum mb_err kind, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
int mb_error_vset(struct mb_error *err, enum mb_err kind, const char *fmt, va_list ap)
        __attribute__((format(printf, 3, 0)));

/* Prefix the existing message: "context: old message". Keeps the kind. */
int mb_error_prefix(struct mb_error *err, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

void mb_error_clear(struct mb_error *err);

/* A short lower-case name for a kind ("tls", "auth", ...). */
const char *mb_err_name(enum mb_err kind);

#endif
