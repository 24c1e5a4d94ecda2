"""Vietnamese as shopping and banking apps write it: "29/11/2026", "29/11/2026 12:04" (Django's own
Vietnamese formats use dashes, "29-11-2026", and put the time first)."""

from marketplace.settings.formats._input import DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS, TIME_INPUT_FORMATS

DATE_FORMAT = "d/m/Y"  # 29/11/2026
TIME_FORMAT = "H:i"  # 12:04
DATETIME_FORMAT = "d/m/Y H:i"  # 29/11/2026 12:04
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d/m/Y"  # 29/11/2026
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # 29/11/2026 12:04
FIRST_DAY_OF_WEEK = 1  # Monday

__all__ = ["DATE_INPUT_FORMATS", "DATETIME_INPUT_FORMATS", "TIME_INPUT_FORMATS"]
