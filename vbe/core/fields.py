"""Model fields encrypted at rest with vbe.core.crypto (AES-256-GCM, key id in every value)."""

from __future__ import annotations

from django.db import models

from vbe.core import crypto


class EncryptedTextField(models.TextField):
    """Plaintext in Python, ciphertext in the database. Empty stays empty (nothing to hide).

    The model and field name are bound into the ciphertext, so a value copied to another column or
    table does not decrypt. Encrypted fields cannot be filtered on; use a blind index for look-ups.
    """

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        self.crypto_context = f"{cls._meta.label_lower}.{name}"

    def from_db_value(self, value, expression, connection):
        if not value:
            return ""
        return crypto.decrypt(value, context=self.crypto_context)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return ""
        return crypto.encrypt(value, context=self.crypto_context)
