"""The article↔indicator link gets a model of its own, on the table Django had made for it.

Only Django's picture of the models changes: the table ``indicators_indicator_articles`` already
has exactly these columns and this unique pair, so nothing is written to the database.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="IndicatorLink",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "article",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                to="articles.article",
                                verbose_name="文章",
                            ),
                        ),
                        (
                            "indicator",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                to="indicators.indicator",
                                verbose_name="指标",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "相关指标",
                        "verbose_name_plural": "相关指标",
                        "db_table": "indicators_indicator_articles",
                        "unique_together": {("indicator", "article")},
                    },
                ),
                migrations.AlterField(
                    model_name="indicator",
                    name="articles",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="indicators",
                        through="indicators.IndicatorLink",
                        to="articles.article",
                        verbose_name="相关文章",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
