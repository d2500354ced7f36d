"""What the benchmarks share: a sampler of a child's anonymous memory, and a scratch folder."""
import contextlib
import shutil
import tempfile
from pathlib import Path

# Source text for the top of a measured child process. VmHWM counts the pages of mapped pack files too;
# anonymous memory is what can run a runner out of RAM.
ANON_SAMPLER = """
import threading as _threading, time as _time
anon = [0]
def _sample():
    while True:
        for line in open('/proc/self/status'):
            if line.startswith('RssAnon'):
                anon[0] = max(anon[0], int(line.split()[1]))
        _time.sleep(0.02)
_threading.Thread(target=_sample, daemon=True).start()
"""


@contextlib.contextmanager
def scratch(workdir, prefix):
    """Yield `workdir` (kept afterwards, for a look) or a new temporary folder (removed afterwards)."""
    work = Path(workdir or tempfile.mkdtemp(prefix=prefix))
    try:
        yield work
    finally:
        if not workdir:
            shutil.rmtree(work, ignore_errors=True)
