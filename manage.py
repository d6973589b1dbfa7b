#!/usr/bin/env python
"""Django's command-line utility; `rebond` (rebond/cli.py) is the same with scoring added."""

import sys

from rebond.cli import main

if __name__ == "__main__":
    sys.exit(main())
