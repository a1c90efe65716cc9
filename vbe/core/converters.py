"""A path converter for row ids: at most 18 digits, so a longer number in an address is a 404 before it
reaches the database (SQLite refuses an integer past 2**63 - 1 with an error, not a miss)."""

from django.urls import register_converter


class RowId:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(RowId, "id")
