"""Run FakeNotion until SIGTERM and write the .env the product needs: python -m tests.fakes.serve."""
import argparse
import signal
import sys
import threading
from pathlib import Path

from tests.fakes.exports import FakeWorkspace
from tests.fakes.notion_internal import DEFAULTS, FakeNotion


def _parse_fault(text):
    """Parse KEY=VALUE (VALUE as int, float, true/false/none, or a string)."""
    key, _, value = text.partition("=")
    low = value.lower()
    if low in ("true", "false", "none"):
        return key, {"true": True, "false": False, "none": None}[low]
    for kind in (int, float):
        try:
            return key, kind(value)
        except ValueError:
            pass
    return key, value


def main(argv=None):
    """Start the fake, write the env file, re-read the day file before each export, serve until SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--databases", type=int, default=8)
    parser.add_argument("--attachments", type=int, default=20)
    parser.add_argument("--attachment-bytes", type=int, default=4096)
    parser.add_argument("--page-bytes", type=int, default=None)
    parser.add_argument("--env-file", type=Path, required=True)
    parser.add_argument("--day-file", type=Path, help="integer day re-read before each export")
    parser.add_argument("--file-token", action="store_true",
                        help="write NATIVE_EXPORT_FILE_TOKEN (default: empty, so the client harvests it)")
    parser.add_argument("--fault", action="append", default=[], metavar="KEY=VALUE",
                        help=f"a FakeNotion fault, one of {sorted(DEFAULTS)}")
    args = parser.parse_args(argv)
    workspace = FakeWorkspace(seed=args.seed, pages=args.pages, databases=args.databases,
                              attachments=args.attachments, attachment_bytes=args.attachment_bytes,
                              page_bytes=args.page_bytes)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with FakeNotion(workspace=workspace, seed=args.seed, **dict(_parse_fault(f) for f in args.fault)) as fake:
        if args.day_file:
            original = fake.build_export

            def build_with_day(task):
                try:
                    day = int(args.day_file.read_text().strip() or 0)
                except (OSError, ValueError):
                    day = 0
                if day != fake.workspace.day:
                    fake.set_day(day)
                original(task)
            fake.build_export = build_with_day
        env = fake.env(file_token=args.file_token)
        lines = "".join(f"{k}={v}\n" for k, v in env.items())
        tmp = args.env_file.with_name(args.env_file.name + ".tmp")
        tmp.write_text(lines)
        tmp.replace(args.env_file)
        sys.stderr.write(f"fake notion serving: api {fake.api_url} app {fake.app_url} file {fake.file_url}\n")
        sys.stderr.flush()
        stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
