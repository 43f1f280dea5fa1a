"""``python -m auth0_tenant_server``: the ``auth0-core`` command line."""

import sys

from ._cli import main

sys.exit(main())
