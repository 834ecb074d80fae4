"""`python -m congvu` runs the command line."""

from congvu.cli.main import main

if __name__ == "__main__":  # not when a worker process (multiprocessing "spawn") imports this module
    raise SystemExit(main())
