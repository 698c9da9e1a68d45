"""Licences get a verification code; those issued before get a random one here.

The code lives outside the signed payload (``Licence.canonical_payload``), so adding it changes
no signature. A licence whose PDF was already stored keeps that file (its digest is recorded):
its QR code opens the check page without the code, which then asks for it; the holder reads it
on their case in the portal, staff on the case page.
"""

import secrets

from django.db import migrations, models


def give_codes(apps, schema_editor):
    Licence = apps.get_model("licences", "Licence")
    # The ids first: SQLite does not isolate a running read from writes to the same table.
    for pk in list(Licence.objects.filter(verify_code="").values_list("pk", flat=True)):
        # Same length and alphabet as new licences' codes (services.issue_for).
        Licence.objects.filter(pk=pk).update(verify_code=secrets.token_hex(8))


class Migration(migrations.Migration):
    dependencies = [
        ("licences", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="licence",
            name="verify_code",
            field=models.CharField(
                default="",
                help_text="随机生成，印在证照二维码下方并含在二维码地址中；公开核验页面凭证照编号和核验码显示证照。不属于签名内容。",
                max_length=32,
                verbose_name="核验码",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(give_codes, migrations.RunPython.noop, elidable=False),
    ]
