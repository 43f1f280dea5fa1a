"""Run docs/django.md's project in a fresh interpreter (Django's settings are configured once
per process): ``python -m tests.integrations.django.run_docs_example FOLDER TENANT_URL``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import anyio


def main(folder: str, tenant_url: str) -> None:
    from ..docs_examples import environment, walk, write_examples

    write_examples("django.md", Path(folder))
    os.environ.update(environment(tenant_url))
    os.environ["DJANGO_SETTINGS_MODULE"] = "settings"
    sys.path.insert(0, folder)
    import django
    from django.test import Client

    django.setup()
    http = Client(HTTP_HOST="localhost")

    async def get(url: str) -> tuple[int, str | None, str]:
        answer = http.get(url)
        return answer.status_code, answer.headers.get("Location"), answer.content.decode()

    anyio.run(walk, get, tenant_url)
    print("django example: ok")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
