/*
 * hooks.c: placeholders for the screens built on this frame by another
 * hand: compose (c, and r/f with a prefill), the raw protocol console (R)
 * and the outbox (o). Each says so in the status bar; replace this file's
 * functions with the real screens (and drop them from here) when they land.
 */
#include "config.h"

#include <stdlib.h>

#include "ui/private.h"

void
ui_compose_open(struct ui *ui, struct ui_compose_prefill *p)
{
	if (p != NULL && p->subject != NULL)
		ui_msg(ui, "compose is not built yet (it would open '%s')", p->subject);
	else
		ui_msg(ui, "compose is not built yet");
	if (p != NULL)
		ui_compose_prefill_release(p);
}

void
ui_console_open(struct ui *ui)
{
	ui_msg(ui, "the raw protocol console is not built yet");
}

void
ui_outbox_open(struct ui *ui)
{
	ui_msg(ui, "the outbox screen is not built yet");
}
