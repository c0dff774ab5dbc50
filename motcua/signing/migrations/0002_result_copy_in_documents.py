"""Result e-copies are stored by the documents module (motcua/documents) instead of in this table."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0001_initial"),
        ("signing", "0001_initial"),
    ]

    operations = [
        migrations.RemoveField(model_name="signedresultcopy", name="content"),
        migrations.AddField(
            model_name="signedresultcopy",
            name="document",
            field=models.ForeignKey(
                default=0,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="documents.storeddocument",
            ),
            preserve_default=False,
        ),
    ]
