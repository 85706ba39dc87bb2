#!/bin/bash
# escape.sh: hostile text from the network shows as visible text and never acts on the
# terminal: a Subject holding an OSC 0 title, CSI 2J (clear screen), OSC 52 (clipboard) and
# "SAFE\rEVIL"; a From with an escape; a body with colour codes and a CR; an attachment
# name with a right-to-left override (U+202E).
set -u
. "$top_srcdir/tests/tui/lib.sh"

eml=$TUI_TMP/evil.eml
{
	printf 'From: "Mallory\033]0;pwned\007" <mallory@evil.example>\r\n'
	printf 'To: alice@lab.test\r\n'
	printf 'Subject: SAFE\rEVIL \033]0;pwned-title\007 \033[2J \033]52;c;aGVsbG8=\007 end\r\n'
	printf 'Date: Mon, 01 Jan 2024 10:00:00 +0000\r\n'
	printf 'Message-ID: <evil1@evil.example>\r\n'
	printf 'MIME-Version: 1.0\r\n'
	printf 'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
	printf -- '--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n'
	printf 'Body with \033[31mred\033[0m and SAFE\rEVIL and a bell\007.\r\n'
	printf -- '--b1\r\nContent-Type: application/octet-stream\r\n'
	printf 'Content-Disposition: attachment; filename="invoice\342\200\256fdp.exe"\r\n'
	printf 'Content-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA//8AALgAAAA=\r\n'
	printf -- '--b1--\r\n'
} >"$eml"
tui_seed lab "$eml" || tap_bail "cannot seed the cache"
export MAILBENCH_LAB_DIR=$TUI_TMP/nolab MAILBENCH_LAB_BASE=29400

tui_start 100 30
tui_wait 'SAFE'
tap_ok $? "the hostile message is listed"
tui_snap list
screen=$TUI_LAST
tap_like "$screen" 'SAFE\^MEVIL' "CR in the Subject shows as ^M between SAFE and EVIL"
tap_unlike "$screen" '^EVIL' "EVIL did not overwrite the start of the row"
tap_like "$screen" '\^\[\]0;' "the OSC title sequence shows as ^[]0;"
tap_like "$screen" 'Mallory\^\[' "the escape in From shows as ^["
tap_like "$screen" 'Accounts' "the screen was not cleared (CSI 2J is text)"
tap_unlike "$(tui_tmux display -p -t t '#{pane_title}')" 'pwned' "the pane title was not changed"
tap_is "$(tui_tmux list-buffers 2>/dev/null | wc -l)" 0 "OSC 52 did not reach the clipboard"
tap_like "$(tui_tmux capture-pane -p -e -t t)" '\^\[' "^[ is on the screen as two characters"

tui_keys Enter
tui_wait 'Message +2 Parts'
tap_ok $? "the message opens"
tui_snap message
tap_like "$TUI_LAST" 'Subject: +SAFE\^MEVIL' "the Subject header shows ^M"
tap_like "$TUI_LAST" 'Body with \^\[\[31mred\^\[\[0m' "colour codes in the body show as text"
tap_like "$TUI_LAST" 'SAFE\^MEVIL and a bell\^G' "CR and BEL in the body show as ^M and ^G"
tap_unlike "$(tui_tmux display -p -t t '#{pane_title}')" 'pwned' "still no title change"

tui_keys 2
tui_wait 'application/octet-stream'
tap_ok $? "the parts tab lists the attachment"
tui_snap parts
tap_like "$TUI_LAST" 'invoice<U\+202E>fdp\.exe' "the right-to-left override is shown as <U+202E>"
tap_unlike "$TUI_LAST" 'exe\.pdf' "the name is not shown reversed"

tui_keys 3
tui_wait 'bytes .* as stored'
tap_ok $? "the raw tab opens"
tui_snap raw
tap_like "$TUI_LAST" 'Subject: SAFE\^MEVIL \^\[\]0;pwned-title\^G' "raw: the Subject with its controls"
tap_like "$TUI_LAST" '␍␊' "raw: CR LF line ends are shown"

tui_keys q q
tui_wait_exit
tap_is "$TUI_EXIT" 0 "q, q: back to the list, then quit"
tap_done
