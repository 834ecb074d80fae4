"""`python -m congvu` runs the command line."""

from congvu.cli.main import main

raise SystemExit(main())
