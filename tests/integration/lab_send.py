#!/usr/bin/python3
"""lab_send.py: put messages into a lab user's mailbox through the lab's plain SMTP
port (a real delivery), independently of mailbench. For the integration tests.

  lab_send.py PORT RCPT --count N [--tag TAG]   N generated messages, one connection
  lab_send.py PORT RCPT FILE...                 ready-made messages (bytes as they are)
"""
import argparse
import smtplib
import sys

ap = argparse.ArgumentParser()
ap.add_argument("port", type=int)
ap.add_argument("rcpt")
ap.add_argument("files", nargs="*")
ap.add_argument("--count", type=int, default=0)
ap.add_argument("--tag", default="gen")
ap.add_argument("--sender", default="alice@lab.test")
a = ap.parse_intermixed_args()

s = smtplib.SMTP("127.0.0.1", a.port, timeout=60)
s.ehlo("lab-send.test")
for i in range(a.count):
    body = "".join("line %d of message %d, tagged %s\r\n" % (k, i, a.tag) for k in range(i % 40 + 1))
    msg = ("From: Alice <%s>\r\nTo: %s\r\nSubject: %s %d\r\nMessage-ID: <%s-%d@lab.test>\r\n"
           "Date: Sun, 22 Nov 2026 10:00:00 +0000\r\n\r\n%s") % (a.sender, a.rcpt, a.tag, i, a.tag, i, body)
    s.sendmail(a.sender, [a.rcpt], msg.encode())
for f in a.files:
    data = open(f, "rb").read()
    s.sendmail(a.sender, [a.rcpt], data)
s.quit()
