#!/usr/bin/env python3
"""Build the evidence site: `python build.py [build|check|serve|new|import] ...` (see README.md)."""

import sys

from evidencesite.cli import main

if __name__ == "__main__":
    sys.exit(main())
