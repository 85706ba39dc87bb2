#!/bin/bash
# compose.sh: the compose screen against the lab's submission port. At 80x24: an invalid
# address is flagged as it is typed (the field marked, the reason under the fields); a
# message to bob with a Bcc to carol and a body line starting with '.' is sent with ^X: the
# transcript pane shows MAIL FROM, both RCPT TO and 354, the envelope view names carol as the
# Bcc recipient, bob's Maildir gets the message without a Bcc header and with the dot-line
# intact. At 200x60: a draft survives leaving compose and restarting mailbench (^O opens
# it), ^V runs $EDITOR (or says it is not set), ^Q discards the draft.
set -u
. "$top_srcdir/tests/lab/fixture.sh"
. "$top_srcdir/tests/tui/lib.sh"

cfg=$TUI_TMP/mb.conf
cat >"$cfg" <<EOF
[account sub]
from = Alice <alice@$LAB_DOMAIN>
smtp_host = localhost
smtp_port = $LAB_SUBMISSION_PORT
smtp_security = starttls
user = alice
password_command = cat '$MAILBENCH_LAB_DIR/secrets/alice'
ca_file = $LAB_CA
timeout = 20
EOF
chmod 600 "$cfg"
token=$(lab_token)

# ---- 80x24: checks as you type, send with a Bcc ----
TUI_ENV="EDITOR= VISUAL="
tui_start 80 24 --config "$cfg" --account sub
tui_wait 'Accounts' || tap_bail "mailbench did not start"
tui_keys c
tui_wait 'Compose · sub'
tap_ok $? "c opens compose"
tui_snap compose-empty
tap_like "$TUI_LAST" 'From +Alice <alice@lab.test>' "the From line is the account's"
tap_like "$TUI_LAST" 'MAIL FROM alice@lab.test' "MAIL FROM follows From: before anything is typed"
tap_like "$TUI_LAST" 'follows the headers until you edit it' "the envelope panel says it follows"

tui_type "Bob <bob@$LAB_DOMAIN>"
tui_keys Down
tui_type "dave@$LAB_DOMAIN, bob $LAB_DOMAIN"
tui_wait "Cc: invalid address 'bob $LAB_DOMAIN'"
tap_ok $? "a bad Cc entry is explained under the fields as it is typed"
tui_snap compose-invalid
tap_like "$TUI_LAST" "^Cc +✗ dave@$LAB_DOMAIN" "the Cc field is marked"
tui_tmux capture-pane -p -e -t t >"$TUI_TMP/ansi"
tap_like "$(grep -a 'dave@' "$TUI_TMP/ansi")" $'\e\\[[0-9;]*m'"bob $LAB_DOMAIN"$'\e' \
	"the bad entry itself is drawn apart (in the error colour)"
tui_keys C-u
tui_wait_gone 'invalid address'
tap_ok $? "emptying the field clears the error"

tui_keys Down
tui_type "carol@$LAB_DOMAIN"
tui_keys Down
tui_type "tui compose $token"
tui_keys Enter
tui_type "Hello Bob,"
tui_keys Enter
tui_type ".this line starts with a dot"
tui_keys Enter
tui_type "bye"
tui_wait "RCPT TO +bob@$LAB_DOMAIN, carol@$LAB_DOMAIN"
tap_ok $? "RCPT TO follows To and Bcc"
tui_snap compose-filled
tap_like "$TUI_LAST" "carol@$LAB_DOMAIN was sent this message but is in no header: a Bcc" \
	"the envelope panel explains the Bcc recipient before sending"
tap_like "$TUI_LAST" '✓ To 1, Cc 0, Bcc 1' "the check line counts the recipients"

tui_keys C-x
tui_wait 'sent: outbox message [0-9]+' 30
tap_ok $? "^X sends: the status bar says sent"
tui_snap sent
tap_like "$TUI_LAST" 'Envelope versus headers of outbox message [0-9]+ \(sent\)' \
	"the envelope view of the outbox row opens after the send"
tap_like "$TUI_LAST" "RCPT TO:<carol@$LAB_DOMAIN> 250 +≠ \(in no header\)" \
	"the envelope view: carol was accepted and is in no header"
tap_like "$TUI_LAST" "carol@$LAB_DOMAIN received this message but is in no header: a Bcc recipient" \
	"the envelope view names carol as the Bcc recipient"
tap_like "$TUI_LAST" 'Transcript \(live\)' "the transcript pane opened for the send"

# the pane: focus it, one row per line (w: a page of wrapped lines would skip some), go to the
# top, read it page by page
tui_keys Tab w g
seen=
for _ in $(seq 1 15); do
	sleep 0.2
	seen="$seen$(tui_screen)"
	tui_keys PageDown
done
printf '%s\n' "$seen" >"$TUI_ART/pane-pages.txt"
tap_like "$seen" "C: MAIL FROM:<alice@$LAB_DOMAIN>" "the pane showed MAIL FROM"
tap_like "$seen" "C: RCPT TO:<bob@$LAB_DOMAIN>" "the pane showed RCPT TO for bob"
tap_like "$seen" "C: RCPT TO:<carol@$LAB_DOMAIN>" "the pane showed RCPT TO for carol (the Bcc)"
tap_like "$seen" 'S: 354 ' "the pane showed 354"
tap_like "$seen" 'C: AUTH PLAIN <masked' "AUTH is masked in the pane"
tap_unlike "$seen" "$(lab_password alice)" "the password is nowhere on the screen"
tui_keys Escape q
tui_wait 'Accounts'

f=$(lab_wait_for_match bob "^Subject: tui compose $token")
tap_ok $? "bob's Maildir received the message"
tap_unlike "$(cat "$f" 2>/dev/null)" '^[Bb]cc:' "no Bcc header in bob's copy"
tap_like "$(cat "$f" 2>/dev/null)" '^\.this line starts with a dot$' \
	"the dot-line arrived intact (one dot: stuffed on the way, unstuffed by the server)"
lab_wait_for_match carol "^Subject: tui compose $token" >/dev/null
tap_ok $? "carol (Bcc) received it too"

# ^V without $VISUAL or $EDITOR says what to do
tui_keys c
tui_wait 'Compose · sub'
tui_keys C-v
tui_wait '\$VISUAL and \$EDITOR are unset'
tap_ok $? "^V without an editor says that \$VISUAL and \$EDITOR are unset"
tui_keys Escape
tui_wait 'nothing written: no draft kept'
tap_ok $? "leaving an empty compose keeps no draft"
tui_keys q
tui_wait_exit
tap_is "$TUI_EXIT" 0 "q quits with 0"

# ---- 200x60: drafts survive leaving and restarting; $EDITOR; discard ----
cat >"$TUI_TMP/ed.sh" <<'EOF'
#!/bin/sh
ls -l "$1" >"$(dirname "$0")/ed.log"
echo "Added in the external editor." >>"$1"
EOF
chmod +x "$TUI_TMP/ed.sh"
TUI_ENV="EDITOR=$TUI_TMP/ed.sh VISUAL="
tui_start 200 60 --config "$cfg" --account sub
tui_wait 'Accounts'
tui_keys t
tui_wait 'Transcript \(live\)'
tui_keys c
tui_wait 'Compose · sub'
tui_type "carol@$LAB_DOMAIN"
tui_keys Down Down Down
tui_type "tui draft $token"
tui_keys Enter
tui_type "A draft that must survive."
tui_keys C-v
tui_wait 'the body is back from the editor: 2 lines'
tap_ok $? "^V runs \$EDITOR on the body and reads it back"
tap_like "$TUI_LAST" 'Added in the external editor\.' "the editor's line is in the body"
tap_like "$(cat "$TUI_TMP/ed.log" 2>/dev/null)" '^-rw-------' "the editor's file is private (0600)"
tap_is "$(find "${TMPDIR:-/tmp}" -maxdepth 1 -name 'mailbench-body-*' -newer "$cfg" 2>/dev/null | wc -l)" \
	0 "the temporary file is gone"
tui_snap draft-wide
tap_like "$TUI_LAST" '│ Transcript \(live\)' "wide: the transcript pane is beside compose"
tui_keys Escape
tui_wait 'draft #[0-9]+ saved'
tap_ok $? "Esc saves the draft and says how to reopen it"
tui_keys q
tui_wait_exit
tap_is "$TUI_EXIT" 0 "mailbench quits"

tui_start 200 60 --config "$cfg" --account sub
tui_wait 'Accounts'
tui_keys c
tui_wait '1 saved draft: \^O opens one'
tap_ok $? "compose says a draft is waiting"
tui_keys C-o
tui_wait 'Drafts \(newest first\)'
tap_like "$TUI_LAST" "To: carol@$LAB_DOMAIN  Subject: tui draft $token" "^O lists the draft"
tui_snap drafts
tui_keys Enter
tui_wait "Subject +tui draft $token"
tap_ok $? "the draft reopens after a restart"
tap_like "$TUI_LAST" 'A draft that must survive\.' "with its body"
tap_like "$TUI_LAST" 'Added in the external editor\.' "and the editor's line"
tap_like "$TUI_LAST" "RCPT TO +carol@$LAB_DOMAIN" "and its envelope"
tui_snap draft-reopened
tui_keys F1
tui_wait 'F1 +this help \(\? is a character in compose\)'
tap_ok $? "F1 opens the help of compose (? is a character there)"
tap_like "$TUI_LAST" '\^X +send: build, queue in the outbox, send' "the help lists ^X"
tap_like "$TUI_LAST" '\^O +open a saved draft' "and ^O, the drafts"
tui_snap help
tui_keys Escape
tui_wait_gone 'this help'
tui_keys C-q
tui_wait 'Discard this message and delete draft'
tui_keys y
tui_wait 'message discarded and its draft deleted'
tap_ok $? "^Q discards the draft after asking"

# an attachment (the path prompt completes with Tab) and the HTML alternative, sent
printf 'name,score\nalice,%s\n' "$token" >"$TUI_TMP/report-$token.csv"
tui_keys c
tui_wait 'Compose · sub'
tui_type "carol@$LAB_DOMAIN"
tui_keys Down Down Down
tui_type "tui attach $token"
tui_keys C-t
tui_wait 'Attach file \(Tab completes\)'
tui_keys C-u
tui_type "$TUI_TMP/rep"
tui_keys Tab
tui_wait "Attach file \(Tab completes\): .*report-$token\.csv"
tap_ok $? "^T: Tab completes the file name"
tui_keys Enter
tui_wait "Attach +report-$token\.csv"
tap_ok $? "the attachment is listed"
tui_keys C-n
tui_wait 'HTML alternative: on'
tap_ok $? "^N turns the HTML alternative on"
tap_like "$TUI_LAST" 'text/html part' "and says what it does"
tui_keys Down Down Down
tui_type "Paragraph one & <two>."
tui_keys Enter Enter
tui_type "Paragraph two."
tui_snap attach
tui_keys C-x
tui_wait 'sent: outbox message [0-9]+' 30
tap_ok $? "sent with the attachment and the HTML part"
f=$(lab_wait_for_match carol "^Subject: tui attach $token")
tap_ok $? "carol received it"
tap_like "$(cat "$f" 2>/dev/null)" 'Content-Type: multipart/alternative' "a multipart/alternative"
tap_like "$(cat "$f" 2>/dev/null)" '<p>Paragraph one &amp; &lt;two&gt;\.</p>' \
	"the HTML part: escaped paragraphs"
tap_like "$(cat "$f" 2>/dev/null)" "filename=\"report-$token\.csv\"" "the attachment with its name"
tui_keys q
tui_keys c
tui_wait 'Compose · sub'
tap_unlike "$TUI_LAST" 'saved draft' "no draft is left"
tui_keys Escape q
tui_wait_exit
tap_is "$TUI_EXIT" 0 "mailbench exits with 0"

# ---- r on a cached message: the prefill (Re:, quote, In-Reply-To, References) is sent ----
cat >"$TUI_TMP/question.eml" <<EOF
From: Bob <bob@$LAB_DOMAIN>
To: Alice <alice@$LAB_DOMAIN>
Subject: tui question $token
Date: Mon, 02 Mar 2026 10:00:00 +0000
Message-ID: <q-$token@$LAB_DOMAIN>
References: <earlier-$token@$LAB_DOMAIN>

Can you answer this?
EOF
tui_seed sub "$TUI_TMP/question.eml" || tap_bail "cannot store the question in the cache"
tui_start 80 24 --config "$cfg" --account sub
tui_wait "Bob +tui question"
tui_keys r
tui_wait 'Reply · sub'
tap_ok $? "r opens compose as a reply"
tui_snap reply
tap_like "$TUI_LAST" "^To +Bob <bob@$LAB_DOMAIN>" "To: the sender"
tap_like "$TUI_LAST" "^Subject +Re: tui question $token" "Subject: Re:"
tap_like "$TUI_LAST" '^> Can you answer this\?' "the quoted body"
tui_type "Yes, $token."
tui_keys C-x
tui_wait 'sent: outbox message [0-9]+' 30
tap_ok $? "the reply is sent"
f=$(lab_wait_for_match bob "^Subject: Re: tui question $token")
tap_ok $? "bob received the reply"
tap_like "$(cat "$f" 2>/dev/null)" "^In-Reply-To: <q-$token@$LAB_DOMAIN>" "with In-Reply-To"
unfolded=$(sed -e ':a' -e 'N' -e '$!ba' -e 's/\n[ \t]\+/ /g' "$f" 2>/dev/null)
tap_like "$unfolded" "^References: <earlier-$token@$LAB_DOMAIN> <q-$token@$LAB_DOMAIN>\$" \
	"and References (the original's, then its Message-ID)"
tap_like "$(cat "$f" 2>/dev/null)" "^Yes, $token\.$" "the text typed above the quote"
tui_keys q q
tui_wait_exit
tap_is "$TUI_EXIT" 0 "q quits with 0"
log=$XDG_STATE_HOME/mailbench/mailbench.log
tap_unlike "$(cat "$log" 2>/dev/null)" 'Sanitizer|runtime error' "no sanitizer report in the log (stderr)"
tap_done
