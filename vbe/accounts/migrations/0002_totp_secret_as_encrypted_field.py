"""The TOTP secret moves to the shared EncryptedTextField, whose context is "accounts.user.totp_secret".
Existing secrets are re-encrypted under that context with raw SQL, so no secret is ever lost."""

from django.db import migrations

import vbe.core.fields
from vbe.core import crypto

OLD_CONTEXT = "accounts.User.totp_secret"
NEW_CONTEXT = "accounts.user.totp_secret"


def reencrypt(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id, totp_secret FROM accounts_user WHERE totp_secret <> ''")
        for user_id, token in cursor.fetchall():
            plaintext = crypto.decrypt(token, context=OLD_CONTEXT)
            cursor.execute(
                "UPDATE accounts_user SET totp_secret = %s WHERE id = %s",
                [crypto.encrypt(plaintext, context=NEW_CONTEXT), user_id],
            )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.RenameField("user", "totp_secret_encrypted", "totp_secret"),
        migrations.RunPython(reencrypt, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="totp_secret",
            field=vbe.core.fields.EncryptedTextField(blank=True, editable=False),
        ),
    ]
