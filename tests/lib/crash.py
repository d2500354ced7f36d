"""Run a lib call in a child Python and SIGKILL it at a chosen file-system step or a random instant."""
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# Counts every call that changes the disk layout; KILL_AT_STEP=n kills the child just before the n-th.
PREAMBLE = """
import os, shutil, signal, sys
_steps = [0]
_kill_at = int(os.environ.get("KILL_AT_STEP", "0"))
def _hook(func):
    def wrapper(*args, **kwargs):
        _steps[0] += 1
        if _steps[0] == _kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return func(*args, **kwargs)
    return wrapper
for _name in ("rename", "replace", "unlink", "link", "mkdir", "rmdir", "utime"):
    setattr(os, _name, _hook(getattr(os, _name)))
shutil.rmtree = _hook(shutil.rmtree)
print("READY", flush=True)
"""
EPILOGUE = "\nprint('STEPS', _steps[0], flush=True)\n"


def _start(script, env_extra):
    """Start the child with the hook preamble; wait until its imports are done."""
    env = dict(os.environ, PYTHONPATH=str(REPO), **env_extra)
    proc = subprocess.Popen([sys.executable, "-c", PREAMBLE + script + EPILOGUE], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = _first_line(proc.stdout)
    if first != "READY":
        proc.kill()
        raise AssertionError(f"child did not start: {first!r} {proc.communicate()[1][-2000:]}")
    return proc


def _first_line(stream):
    """Read one line straight from the pipe, a byte at a time. A buffered readline may take in what follows too
    (a fast child's last line), and communicate(), which reads the descriptor itself, would never see it."""
    data = b""
    while not data.endswith(b"\n"):
        chunk = os.read(stream.fileno(), 1)
        if not chunk:
            break
        data += chunk
    return data.decode("utf-8", "replace").strip()


def run_to_end(script):
    """Run the script uninterrupted; return how many disk steps it took."""
    proc = _start(script, {})
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return int(out.split()[-1])


def run_killed(script, kill_at_step=None, seed=None, window=0.25):
    """Run the script and SIGKILL it at a step, or after a seeded random delay within window seconds."""
    if kill_at_step is not None:
        proc = _start(script, {"KILL_AT_STEP": str(kill_at_step)})
        _, err = proc.communicate(timeout=120)
        assert proc.returncode in (0, -signal.SIGKILL), err[-2000:]
        return proc.returncode
    proc = _start(script, {})
    time.sleep(random.Random(seed).uniform(0, window))
    proc.send_signal(signal.SIGKILL)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode in (0, -signal.SIGKILL), err[-2000:]
    return proc.returncode
