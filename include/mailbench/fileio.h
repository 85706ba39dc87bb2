/*
 * fileio.h: small helpers for writing files (saved attachments, exported
 * transcripts, the external editor's file).
 */
#ifndef MAILBENCH_FILEIO_H
#define MAILBENCH_FILEIO_H

#include <stddef.h>

/* Write all n bytes of p to fd, again after EINTR and short writes; 0, or -1 with errno. */
int mb_write_all(int fd, const void *p, size_t n);

#endif
