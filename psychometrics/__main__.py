"""Run the scoring command line: ``python -m psychometrics score PHQ-9 --answers ...``."""

import sys

from psychometrics.cli import main

sys.exit(main())
