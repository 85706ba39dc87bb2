/* screen_message.c: placeholder */
#include "config.h"
#include "ui/private.h"
int
ui_message_open(struct ui *ui, int64_t msg_id)
{
	ui_msg(ui, "not yet");
	return 0;
}
