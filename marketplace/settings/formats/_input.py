"""Input formats shared by both languages: ISO first (what <input type="date"> sends and is given),
then day/month/year as people in Vietnam type it; never month/day."""

DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # 2026-11-29
    "%d/%m/%Y",  # 29/11/2026
    "%d-%m-%Y",  # 29-11-2026
    "%d/%m/%y",  # 29/11/26
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",  # <input type="datetime-local">
    "%Y-%m-%dT%H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%y %H:%M",
]
TIME_INPUT_FORMATS = ["%H:%M:%S", "%H:%M:%S.%f", "%H:%M"]
