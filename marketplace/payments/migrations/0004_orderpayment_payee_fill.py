"""Orders placed before the snapshot existed keep the account their stall has now (the one their
buyers were shown, since a stall's details could only change in place until then)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill_from_stall(apps, schema_editor):
    OrderPayment = apps.get_model("payments", "OrderPayment")
    Stall = apps.get_model("sellers", "Stall")
    stall = Stall.objects.filter(pk=OuterRef("stall_id"))
    OrderPayment.objects.filter(payee_account_number="").update(
        payee_bank_bin=Subquery(stall.values("bank_bin")[:1]),
        payee_account_number=Subquery(stall.values("bank_account_number")[:1]),
        payee_account_name=Subquery(stall.values("bank_account_name")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [("payments", "0003_orderpayment_payee")]

    # Backwards: the columns go with 0003, nothing to undo here.
    operations = [migrations.RunPython(fill_from_stall, migrations.RunPython.noop)]
