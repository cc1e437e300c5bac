"""``python -m crescape …`` is the ``crescape`` command."""
import sys

from .cli import main

sys.exit(main())
