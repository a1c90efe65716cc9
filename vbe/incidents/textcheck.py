"""Free text in an incident must not identify anyone: refuse a personnummer or a phone number in it.

The check itself is domain-free and shared with plans: ``vbe.core.textcheck``. This module keeps the
name the incident forms and services import.
"""

from __future__ import annotations

from vbe.core.textcheck import PERSONNUMMER_MESSAGE, PHONE_MESSAGE, reject_identifying_numbers

MESSAGE = PERSONNUMMER_MESSAGE
reject_personnummer = reject_identifying_numbers

__all__ = ["MESSAGE", "PHONE_MESSAGE", "reject_personnummer"]
