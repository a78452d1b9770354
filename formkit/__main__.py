"""``python -m formkit``: the command line."""

import sys

from formkit.cli import main

sys.exit(main())
