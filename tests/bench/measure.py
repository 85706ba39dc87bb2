#!/usr/bin/python3
"""measure.py: run one command, print its wall time and its peak memory.

    measure.py TIMEOUT LOG -- COMMAND [ARG...]

The command's output goes to LOG (appended).  Prints "SECONDS PEAK_RSS_KB" on stdout:
the wall time from fork to exit (monotonic clock, so the Python start-up is not in it) and
the peak resident set size GNU time reports (from wait4(): the command itself, or the
largest of the children it waited for).  GNU time starts the command because a child
forked by Python keeps Python's 14 MB in its peak even after exec.  A command still running after TIMEOUT seconds is killed with its process
group.  Exit status: the command's (1 when it was killed or could not start).
"""

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

GNU_TIME = "/usr/bin/time"  # Debian package time

def main():
    if len(sys.argv) < 5 or sys.argv[3] != "--":
        sys.exit("usage: measure.py TIMEOUT LOG -- COMMAND [ARG...]")
    timeout = float(sys.argv[1])
    rss = tempfile.NamedTemporaryFile(prefix="measure-", suffix=".rss")
    cmd = [GNU_TIME, "-f", "%M", "-o", rss.name, "--"] + sys.argv[4:]
    with open(sys.argv[2], "ab") as log:
        t0 = time.monotonic()
        try:
            child = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                     stderr=log, start_new_session=True)
        except OSError as e:
            sys.exit("measure.py: cannot run '%s': %s" % (sys.argv[4], e))
        killed = []

        def kill():
            killed.append(True)
            os.killpg(child.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.start()
        _, status = os.waitpid(child.pid, 0)
        timer.cancel()
        wall = time.monotonic() - t0
    if killed:
        sys.exit("measure.py: '%s' still running after %g s: killed" % (sys.argv[4], timeout))
    peak = rss.read().decode().split()
    print("%.3f %s" % (wall, peak[-1] if peak else "0"))
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.stderr.write("measure.py: '%s' exited with %d (output in %s)\n"
                         % (sys.argv[4], code, sys.argv[2]))
        sys.exit(code if code > 0 else 1)


if __name__ == "__main__":
    main()
