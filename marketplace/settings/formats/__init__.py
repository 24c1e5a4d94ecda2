"""Date and time formats of our two languages (FORMAT_MODULE_PATH): day before month and a 24-hour
clock in both, as in Vietnam; English adds month names ("29 Nov 2026") where there is room. Numbers
are left to Django's locales. The first input format stays ISO: date fields are <input type="date">."""
