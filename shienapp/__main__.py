"""Allow `python -m shienapp`."""

from shienapp.cli import main

raise SystemExit(main())
