/*
 * addr.h: address checks shared by the message builder and the SMTP
 * session.
 */
#ifndef MAILBENCH_ADDR_H
#define MAILBENCH_ADDR_H

#include <stdbool.h>

#include "mailbench/error.h"

/*
 * Check an addr-spec (local@domain) for the wire: no CR, LF, NUL, control
 * character, '<', '>' or space outside quotes; local part at most 64
 * octets, domain 255, the path 256 (RFC 5321 section 4.5.3.1); non-ASCII
 * only when utf8 is allowed (valid UTF-8). "" is the null sender, valid
 * only where allow_null. Errors are MB_ERR_INPUT and quote the address with
 * control characters escaped.
 */
int mb_addr_check(const char *addr, bool allow_null, bool utf8, struct mb_error *err);

/* Length of the valid UTF-8 sequence at p (1 for ASCII), or 0 if invalid. */
unsigned mb_utf8_seq_len(const unsigned char *p);

#endif
