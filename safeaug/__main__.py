"""``python -m safeaug``: the command line."""

from safeaug.cli import main

raise SystemExit(main())
