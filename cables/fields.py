"""Model fields of the cable library."""

from __future__ import annotations

from django.db import models

from cables.compression import compress, decompress_text


class CompressedTextField(models.BinaryField):
    """Text stored compressed (cables.compression), read back as ``str``.

    Filters and ordering on it compare blobs, not text: it holds text that is only ever read.
    """

    description = "Text, stored compressed"

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("editable", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        return None if value is None else decompress_text(value)

    def to_python(self, value):
        if value is None or isinstance(value, str):
            return value
        return decompress_text(value)

    def get_db_prep_value(self, value, connection, prepared=False):
        if isinstance(value, str):
            value = compress(value)
        return super().get_db_prep_value(value, connection, prepared)

    def value_to_string(self, obj) -> str:
        return self.value_from_object(obj) or ""

    def formfield(self, **kwargs):
        from django import forms

        return super(models.BinaryField, self).formfield(
            **{"form_class": forms.CharField, "widget": forms.Textarea, **kwargs}
        )
