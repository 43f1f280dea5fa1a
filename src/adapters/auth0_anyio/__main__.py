"""``python -m auth0_anyio``: the ``auth0-core`` command line."""

import sys

from ._cli import main

sys.exit(main())
