"""Document counters keyed by number series (代字) instead of kind, so that the decisions of items
that are not 行政许可 get their own series without sharing (and gapping) the 许 sequence."""

from django.db import migrations, models

# The abbreviations as they were when this migration was written (numbering.KIND_ABBREVIATIONS).
SERIES_OF_KIND = {
    "acceptance_notice": "受",
    "refusal_decision": "不受",
    "supplement_notice": "补",
    "special_procedure_notice": "特",
    "extension_notice": "延",
    "approval_decision": "许",
    "denial_decision": "不许",
}


def kind_to_series(apps, schema_editor):
    counter = apps.get_model("documents", "DocumentCounter")
    for row in counter.objects.all():
        row.series = SERIES_OF_KIND[row.kind]
        row.save(update_fields=["series"])


def series_to_kind(apps, schema_editor):
    counter = apps.get_model("documents", "DocumentCounter")
    kinds = {series: kind for kind, series in SERIES_OF_KIND.items()}
    for row in counter.objects.all():
        if row.series not in kinds:
            raise RuntimeError(f"文号代字“{row.series}”没有对应的文书种类，不能回退此迁移")
        row.kind = kinds[row.series]
        row.save(update_fields=["kind"])


class Migration(migrations.Migration):
    dependencies = [("documents", "0002_fewer_indexes")]

    operations = [
        migrations.AddField(
            model_name="documentcounter",
            name="series",
            field=models.CharField(default="", max_length=10, verbose_name="文号代字"),
            preserve_default=False,
        ),
        migrations.RunPython(kind_to_series, series_to_kind),
        migrations.RemoveConstraint(model_name="documentcounter", name="unique_document_counter"),
        migrations.RemoveField(model_name="documentcounter", name="kind"),
        migrations.AddConstraint(
            model_name="documentcounter",
            constraint=models.UniqueConstraint(
                fields=("organization", "series", "year"), name="unique_document_counter"
            ),
        ),
        migrations.AlterField(
            model_name="documentcounter",
            name="series",
            field=models.CharField(
                help_text="发文字号中“司”后的代字，如“受”（受理通知书）、“许”（行政许可决定）、"
                "“决”（其他事项的决定）；每个代字单独连续编号。",
                max_length=10,
                verbose_name="文号代字",
            ),
        ),
    ]
