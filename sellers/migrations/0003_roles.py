from django.db import migrations

# Frozen copy of sellers.roles at the time of this migration (migrations must not import app code
# that may change later).
ROLE_PERMISSIONS = {
    "platform_admin": ["manage_own_stall", "verify_stall", "help_households", "manage_cooperative"],
    "commune_staff": ["verify_stall"],
    "cooperative_manager": ["manage_own_stall", "manage_cooperative"],
    "seller": ["manage_own_stall"],
    "digital_helper": ["help_households"],
    "buyer": [],
}


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; the groups need them now.
    app_config = apps.get_app_config("sellers")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(Permission.objects.filter(content_type__app_label="sellers", codename__in=codenames))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sellers", "0002_stall_lifecycle_phone_accounts_helpers"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
