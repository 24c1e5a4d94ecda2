"""English as read in Vietnam: day before month, 24-hour clock ("29 Nov 2026, 12:04", "29/11/2026 12:04")."""

from marketplace.settings.formats._input import DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS, TIME_INPUT_FORMATS

DATE_FORMAT = "j M Y"  # 29 Nov 2026
TIME_FORMAT = "H:i"  # 12:04
DATETIME_FORMAT = "j M Y, H:i"  # 29 Nov 2026, 12:04
YEAR_MONTH_FORMAT = "F Y"  # November 2026
MONTH_DAY_FORMAT = "j F"  # 29 November
SHORT_DATE_FORMAT = "d/m/Y"  # 29/11/2026
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # 29/11/2026 12:04
FIRST_DAY_OF_WEEK = 1  # Monday

__all__ = ["DATE_INPUT_FORMATS", "DATETIME_INPUT_FORMATS", "TIME_INPUT_FORMATS"]
