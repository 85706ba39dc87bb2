/*
 * smtp_body.c: the DATA body as it goes on the wire: CRLF-normalised and
 * dot-stuffed exactly once (RFC 5321 4.5.2), never a bare CR or LF.
 */
#include "config.h"

#include <string.h>

#include "mailbench/buf.h"
#include "mailbench/smtp.h"

bool
mb_smtp_is_8bit(const char *msg, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)msg[i] & 0x80)
			return true;
	return false;
}

void
mb_smtp_stuff(const char *msg, size_t len, struct mb_buf *out)
{
	const char *p = msg, *end = msg + len, *q;

	mb_buf_grow(out, len + len / 50 + 8);
	while (p < end) {
		/* p is at the start of a line */
		if (*p == '.')
			mb_buf_addch(out, '.');
		/* copy the run up to the next line end */
		for (q = p; q < end && *q != '\r' && *q != '\n'; q++)
			;
		mb_buf_add(out, p, (size_t)(q - p));
		if (q == end)
			break;
		/* CRLF, bare CR and bare LF all end a line with CRLF */
		mb_buf_add(out, "\r\n", 2);
		if (*q == '\r' && q + 1 < end && q[1] == '\n')
			q++;
		p = q + 1;
	}
	if (len > 0 && !(end[-1] == '\n' || end[-1] == '\r'))
		mb_buf_add(out, "\r\n", 2);
}
