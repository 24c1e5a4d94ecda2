"""Stamp sheets made before they were private: moved from public media to the private storage under
an unguessable name, and removed from public media. Running it again moves nothing more."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.db import migrations

from ground.storage import random_name


def move_sheets(apps, schema_editor):
    StampRun = apps.get_model("traceability", "StampRun")
    private = storages["private"]
    for run in StampRun.objects.exclude(pdf="").iterator():
        old = run.pdf.name
        if private.exists(old) or not default_storage.exists(old):
            continue  # already private (or lost): nothing to move
        with default_storage.open(old, "rb") as sheet:
            new = private.save(random_name("stamps", "pdf"), ContentFile(sheet.read()))
        StampRun.objects.filter(pk=run.pk).update(pdf=new)
        default_storage.delete(old)


class Migration(migrations.Migration):
    dependencies = [("traceability", "0003_stamp_sheets_private")]

    operations = [migrations.RunPython(move_sheets, migrations.RunPython.noop)]
