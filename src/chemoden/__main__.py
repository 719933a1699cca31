"""Run the command line as ``python -m chemoden``."""

from chemoden.cli import main

raise SystemExit(main())
