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
