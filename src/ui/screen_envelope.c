/* screen_envelope.c: placeholder */
#include "config.h"
#include "ui/private.h"
void
ui_envelope_open(struct ui *ui, const struct ui_envelope_in *in)
{
	ui_msg(ui, "not yet");
}
int
ui_envelope_open_msg(struct ui *ui, int64_t msg_id)
{
	ui_msg(ui, "not yet");
	return 0;
}
int
ui_envelope_open_outbox(struct ui *ui, int64_t outbox_id)
{
	return 0;
}
