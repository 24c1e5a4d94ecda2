"""Banks a stall can be paid to by VietQR, by their NAPAS BIN (the 6 digits in the QR payload)."""

BANKS = {
    "970405": "Agribank",
    "970436": "Vietcombank",
    "970415": "VietinBank",
    "970418": "BIDV",
    "970422": "MB Bank",
    "970407": "Techcombank",
    "970416": "ACB",
    "970432": "VPBank",
    "970403": "Sacombank",
    "970423": "TPBank",
    "970441": "VIB",
    "970443": "SHB",
    "970437": "HDBank",
    "970449": "LPBank",
    "970440": "SeABank",
    "970426": "MSB",
    "970448": "OCB",
    "970431": "Eximbank",
    "970446": "Co-opBank",
}

BANK_CHOICES = [(bin_, f"{name} ({bin_})") for bin_, name in BANKS.items()]

# What people choose from: the short name they know; the BIN stays the value, never shown.
BANK_NAME_CHOICES = list(BANKS.items())
