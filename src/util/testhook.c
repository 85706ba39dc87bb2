/*
 * testhook.c: crash points for the crash-safety tests (see testhook.h).
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "mailbench/testhook.h"

void
mb_test_crash_point(const char *name)
{
	const char *want = getenv("MAILBENCH_TEST_CRASH");

	if (want != NULL && strcmp(want, name) == 0)
		raise(SIGKILL);
}
