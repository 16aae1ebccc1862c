"""An enum whose members are their text: ``Method.SYMBOLIC == "symbolic"``, prints and formats as
"symbolic", and hashes as the text, so a member and its value are the same dict key and JSON
writes it as a plain string. (``enum.StrEnum`` from Python 3.11, for 3.10 too.)"""
from __future__ import annotations

import enum


class TextEnum(str, enum.Enum):
    __str__ = str.__str__
    __format__ = str.__format__
    __hash__ = str.__hash__
