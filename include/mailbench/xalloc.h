/*
 * xalloc.h: allocation that never returns NULL.
 *
 * Out of memory is not a condition mailbench recovers from: these wrappers
 * print a message and abort (tmux xmalloc.c does the same). Sizes are
 * checked for overflow.
 */
#ifndef MAILBENCH_XALLOC_H
#define MAILBENCH_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Copy exactly n bytes and add a NUL (the input may hold NULs). */
char *xmemdup0(const void *p, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Free a NULL-terminated vector of strings and the strings. NULL is fine. */
void mb_strv_free(char **v);

/* free() and set the pointer to NULL. */
#define XFREE(p)            \
	do {                \
		free(p);    \
		(p) = NULL; \
	} while (0)

#endif
