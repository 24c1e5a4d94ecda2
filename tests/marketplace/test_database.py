import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_runs_on_postgresql_with_the_extensions_search_needs():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension")
        extensions = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT unaccent('Vải thiều Đồng Nai')")
        folded = cursor.fetchone()[0]
    assert {"unaccent", "pg_trgm"} <= extensions
    assert folded == "Vai thieu Dong Nai"


def test_production_refuses_to_start_without_its_secrets_and_database():
    import os
    import subprocess
    import sys

    env = {key: value for key, value in os.environ.items() if key not in ("SECRET_KEY", "DATABASE_URL")}
    env["DJANGO_SETTINGS_MODULE"] = "marketplace.settings.production"

    command = [sys.executable, "-c", "import django; django.setup()"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)  # noqa: S603

    assert result.returncode != 0
    assert "Set SECRET_KEY in the environment." in result.stderr
