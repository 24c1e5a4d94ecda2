from django.db import migrations, models

# What platform admins need in Django admin to see and lift login lockouts (django-axes).
AXES_PERMISSIONS = ["view_accessattempt", "delete_accessattempt", "view_accesslog"]


def grant_lockout_admin(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; the group needs them now.
    app_config = apps.get_app_config("axes")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="platform_admin")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="axes", codename__in=AXES_PERMISSIONS)
    )


def revoke_lockout_admin(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="platform_admin"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="axes", codename__in=AXES_PERMISSIONS)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("sellers", "0006_payout_change"),
        ("axes", "0010_accessattemptexpiration"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="phoneaccount",
            options={
                "ordering": ["phone"],
                "verbose_name": "phone account",
                "verbose_name_plural": "phone accounts",
            },
        ),
        migrations.AddField(
            model_name="phoneaccount",
            name="second_factor",
            field=models.BooleanField(
                default=False,
                help_text="After the password, ask for a code sent to this phone.",
                verbose_name="code at each password log-in",
            ),
        ),
        migrations.AlterField(
            model_name="onetimecode",
            name="purpose",
            field=models.CharField(
                choices=[
                    ("signup", "sign-up"),
                    ("login", "log in"),
                    ("consent", "helper consent"),
                    ("staff_2fa", "staff log-in check"),
                    ("payout", "new bank details"),
                ],
                max_length=10,
            ),
        ),
        migrations.RunPython(grant_lockout_admin, revoke_lockout_admin),
    ]
