"""The entry point of a worker process of ``congvu serve --workers N`` (started by the main process, never by
hand): it opens the installation the main process names and serves SMTP and IMAP on the sockets it inherited.

Kept apart from the command line so that a worker loads only what serving mail needs, not every command's
modules (the document commands pull in the PDF signature libraries).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from congvu.app import Application
from congvu.config.settings import DataDir
from congvu.errors import CongVuError
from congvu.installation import open_installation


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="congvu-worker", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", required=True)
    args = parser.parse_args(argv)
    try:
        inst = open_installation(DataDir(Path(args.data)), upgrade=False)  # the main process has migrated it
    except CongVuError as error:
        print(f"congvu: {error}", file=sys.stderr)
        return 2
    try:
        asyncio.run(Application(inst, worker=True).run())
    finally:
        inst.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
