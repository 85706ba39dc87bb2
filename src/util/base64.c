/*
 * base64.c: RFC 4648 base64 encoding and decoding (see base64.h).
 */
#include "config.h"

#include "mailbench/base64.h"

static const char b64_alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int
mb_b64_digit(unsigned char c, unsigned char c63)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == c63)
		return 63;
	return -1;
}

void
mb_base64_encode(const void *data, size_t len, int line_len, struct mb_buf *out)
{
	const unsigned char *p = data;
	char q[4];
	int col = 0;
	size_t i;

	mb_buf_grow(out, (len + 2) / 3 * 4 + (line_len > 0 ? len / 38 + 2 : 0));
	for (i = 0; i < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16;

		if (i + 1 < len)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		q[0] = b64_alphabet[(v >> 18) & 63];
		q[1] = b64_alphabet[(v >> 12) & 63];
		q[2] = i + 1 < len ? b64_alphabet[(v >> 6) & 63] : '=';
		q[3] = i + 2 < len ? b64_alphabet[v & 63] : '=';
		if (line_len > 0 && col + 4 > line_len) {
			mb_buf_add(out, "\r\n", 2);
			col = 0;
		}
		mb_buf_add(out, q, 4);
		col += 4;
	}
}

int
mb_b64_decode(const char *text, size_t len, int strict, struct mb_buf *out)
{
	unsigned v = 0;
	int n = 0, pad = 0, val;
	size_t i;
	char b[3];

	if (strict && len % 4 != 0)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '=') {
			if (!strict)
				break;
			/* padding only in the last group, at most two */
			pad++;
			if (i + 1 < len && text[i + 1] != '=')
				return -1;
			if (i < len - 2 || pad > 2 || n < 2)
				return -1;
			continue;
		}
		if ((val = mb_b64_digit(c, '/')) < 0) {
			if (strict)
				return -1;
			continue;
		}
		v = v << 6 | (unsigned)val;
		if (++n == 4) {
			b[0] = (char)(v >> 16);
			b[1] = (char)(v >> 8);
			b[2] = (char)v;
			mb_buf_add(out, b, 3);
			v = 0;
			n = 0;
		}
	}
	/* a final partial group: 2 chars give 1 byte, 3 give 2 */
	if (n == 1)
		return strict ? -1 : 0;
	if (n >= 2) {
		v <<= 6 * (4 - n);
		b[0] = (char)(v >> 16);
		b[1] = (char)(v >> 8);
		mb_buf_add(out, b, (size_t)n - 1);
		if (strict && pad != 4 - n)
			return -1;
	}
	return 0;
}
