"""`python -m bot.cli`: the `danvan` command."""

import sys

from bot.cli import main

sys.exit(main())
