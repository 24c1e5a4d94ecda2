from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    """unaccent folds Vietnamese diacritics (and đ/d); pg_trgm serves fuzzy matching later."""

    dependencies = []

    operations = [UnaccentExtension(), TrigramExtension()]
