/*
 * sync_stub.c: placeholder for sync.h until the IMAP/POP3 sync lands;
 * every call fails plainly.
 */
#include "config.h"

#include "mailbench/sync.h"

int
mb_sync(const struct mb_sync_opts *o, struct mb_sync_stats *stats, struct mb_error *err)
{
	(void)o;
	(void)stats;
	return mb_error_set(err, MB_ERR_INTERNAL, "fetching is not implemented yet");
}

int
mb_sync_set_flags(const struct mb_sync_opts *o, int64_t msg_id, unsigned flags,
		  struct mb_error *err)
{
	(void)o;
	(void)msg_id;
	(void)flags;
	return mb_error_set(err, MB_ERR_INTERNAL, "flag sync is not implemented yet");
}

int
mb_sync_idle(const struct mb_sync_opts *o, struct mb_error *err)
{
	(void)o;
	return mb_error_set(err, MB_ERR_INTERNAL, "IDLE is not implemented yet");
}
