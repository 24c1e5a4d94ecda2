from django.db import migrations, models

# The demo's categories (marketplace/demo_data.py), by their Vietnamese name.
ENGLISH = {
    "Trái cây": "Fruit",
    "Vải thiều": "Lychees",
    "Cam": "Oranges",
    "Bưởi": "Pomelos",
    "Ổi": "Guavas",
    "Nhãn": "Longans",
    "Đặc sản": "Local specialities",
    "Mật ong": "Honey",
    "Gạo": "Rice",
    "Hạt điều": "Cashew nuts",
    "Bánh": "Cakes",
}


def name_demo_categories_in_english(apps, schema_editor):
    Category = apps.get_model("catalogue", "Category")
    for name, name_en in ENGLISH.items():
        Category.objects.filter(name=name, name_en="").update(name_en=name_en)


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0036_product_gtin_unique"),
    ]

    operations = [
        migrations.AddField(
            model_name="category",
            name="name_en",
            field=models.CharField(
                blank=True,
                help_text="Shown to visitors who chose English. Empty: they see the Vietnamese name.",
                max_length=255,
                verbose_name="name in English",
            ),
        ),
        migrations.RunPython(name_demo_categories_in_english, migrations.RunPython.noop, elidable=True),
    ]
