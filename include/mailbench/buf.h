/*
 * buf.h: a growable byte buffer, always NUL-terminated.
 *
 *     struct mb_buf b = MB_BUF_INIT;
 *     mb_buf_addstr(&b, "EHLO ");
 *     mb_buf_addf(&b, "%s\r\n", name);
 *     write(fd, b.data, b.len);
 *     mb_buf_release(&b);
 *
 * data is never NULL after MB_BUF_INIT (it points at a static empty string
 * until the first append), so b.data can always be printed. The buffer may
 * hold NUL bytes; len counts them.
 */
#ifndef MAILBENCH_BUF_H
#define MAILBENCH_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct mb_buf {
	char *data;
	size_t len;
	size_t cap;
};

extern char mb_buf_empty[];
#define MB_BUF_INIT                \
	{                          \
		mb_buf_empty, 0, 0 \
	}

void mb_buf_init(struct mb_buf *b);
void mb_buf_release(struct mb_buf *b);
/* Make room for at least extra more bytes (plus the NUL). */
void mb_buf_grow(struct mb_buf *b, size_t extra);
void mb_buf_add(struct mb_buf *b, const void *data, size_t len);
void mb_buf_addstr(struct mb_buf *b, const char *s);
void mb_buf_addch(struct mb_buf *b, int c);
void mb_buf_addf(struct mb_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mb_buf_vaddf(struct mb_buf *b, const char *fmt, va_list ap)
        __attribute__((format(printf, 2, 0)));
/* Give back the memory beyond the contents (and their NUL). */
void mb_buf_fit(struct mb_buf *b);
/* Forget the contents, keep the memory. */
void mb_buf_reset(struct mb_buf *b);
/* Drop len bytes from the front. */
void mb_buf_consume(struct mb_buf *b, size_t len);
void mb_buf_truncate(struct mb_buf *b, size_t len);
/* Hand over the memory (caller frees); the buffer is left empty. */
char *mb_buf_detach(struct mb_buf *b, size_t *len);

#endif
