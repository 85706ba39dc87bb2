/*
 * mutf7.c: IMAP's modified UTF-7 mailbox names (RFC 3501 5.1.3) to
 * UTF-8, for display. "&-" is "&"; "&...-" holds UTF-16 in base64 with ','
 * for '/'. Anything malformed is shown as it was sent.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "mailbench/base64.h"
#include "mailbench/buf.h"
#include "mailbench/mutf7.h"
#include "mailbench/xalloc.h"

static void
add_utf8(struct mb_buf *b, uint32_t cp)
{
	char o[4];

	if (cp < 0x80) {
		mb_buf_addch(b, (int)cp);
	} else if (cp < 0x800) {
		o[0] = (char)(0xC0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3F));
		mb_buf_add(b, o, 2);
	} else if (cp < 0x10000) {
		o[0] = (char)(0xE0 | cp >> 12);
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		mb_buf_add(b, o, 3);
	} else {
		o[0] = (char)(0xF0 | cp >> 18);
		o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[3] = (char)(0x80 | (cp & 0x3F));
		mb_buf_add(b, o, 4);
	}
}

/* Decode one "&...-" run (p after '&', end at '-'); -1 when malformed. */
static int
decode_run(const char *p, const char *end, struct mb_buf *out)
{
	uint32_t bits = 0, hi = 0;
	int nbits = 0, v;

	for (; p < end; p++) {
		if ((v = mb_b64_digit((unsigned char)*p, ',')) < 0)
			return -1;
		bits = bits << 6 | (uint32_t)v;
		nbits += 6;
		if (nbits >= 16) {
			uint32_t u = (bits >> (nbits - 16)) & 0xFFFF;

			nbits -= 16;
			if (u >= 0xD800 && u <= 0xDBFF) {
				if (hi)
					return -1;
				hi = u;
			} else if (u >= 0xDC00 && u <= 0xDFFF) {
				if (!hi)
					return -1;
				add_utf8(out, 0x10000 + ((hi - 0xD800) << 10) + (u - 0xDC00));
				hi = 0;
			} else {
				if (hi || u < 0x20 || (u >= 0x20 && u < 0x7F))
					return -1; /* printable ASCII must not be encoded */
				add_utf8(out, u);
			}
		}
	}
	if (hi || (bits & ((1u << nbits) - 1)) != 0)
		return -1;
	return 0;
}

char *
mb_mutf7_decode(const char *name)
{
	struct mb_buf out = MB_BUF_INIT;
	const char *p = name, *dash;

	while (*p) {
		if (*p != '&') {
			mb_buf_addch(&out, *p++);
			continue;
		}
		dash = strchr(p + 1, '-');
		if (dash == NULL)
			goto raw;
		if (dash == p + 1)
			mb_buf_addch(&out, '&');
		else if (decode_run(p + 1, dash, &out) < 0)
			goto raw;
		p = dash + 1;
	}
	return mb_buf_detach(&out, NULL);
raw:
	mb_buf_release(&out);
	return xstrdup(name);
}
