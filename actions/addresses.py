"""Addresses, ZIPs, account types and contact details, as customers type them (EN/ES)."""

from __future__ import annotations

import re
from typing import Any

# The district's ZIPs and their cities, for addresses customers type without a city.
ZIP_CITY = {
    "92688": "Rancho Santa Margarita", "92694": "Ladera Ranch", "92691": "Mission Viejo",
    "92692": "Mission Viejo", "92679": "Coto de Caza", "92610": "Lake Forest",
    "92630": "Lake Forest", "92675": "San Juan Capistrano",
}
ACCOUNT_TYPES = (("temporary_construction", ("temporary", "construction", "temporal", "construc",
                                            "obra")),
                 ("commercial", ("commercial", "business", "comercial", "negocio", "empresa")),
                 ("residential", ("residential", "home", "house", "residencial", "casa",
                                  "hogar", "vivienda")))
CONTACT_FIELDS = {"phone": ("phone", "teléfono"), "email": ("email", "correo"),
                  "mailing_street": ("mailing street", "calle postal"),
                  "mailing_city": ("mailing city", "ciudad postal"),
                  "mailing_state": ("mailing state", "estado postal"),
                  "mailing_zip": ("mailing ZIP", "código postal")}
ZIP_RE = re.compile(r"\b(\d{5})(?:-\d{4})?\b")
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def parse_address(text: str) -> dict[str, str] | None:
    """'9 Elm St, Irvine CA 92618' → street, city, state, zip; None without a number and a ZIP."""
    text = " ".join(str(text or "").split())
    zip_match = ZIP_RE.search(text)
    street_match = re.match(r"^\s*(p\.?\s*o\.?\s*box\s+\d+|\d+\s+[^,]+)", text, re.IGNORECASE)
    if not zip_match or not street_match:
        return None
    zip_code = zip_match.group(1)
    rest = text[street_match.end():zip_match.start()].strip(" ,")
    state_match = re.search(r"\b([A-Za-z]{2})\s*$", rest)
    state = state_match.group(1).upper() if state_match else "CA"
    city = rest[: state_match.start()].strip(" ,") if state_match else rest
    city = city or ZIP_CITY.get(zip_code, "")
    if len(city) < 2:
        return None
    return {"street": street_match.group(1).strip(), "city": city, "state": state, "zip": zip_code}


def contact_update(text: str) -> dict[str, Any]:
    update: dict[str, Any] = {}
    email = EMAIL_RE.search(text)
    if email:
        update["email"] = email.group(0).lower()
        text = text.replace(email.group(0), " ")
    address = parse_address(text)
    if address:
        update.update({f"mailing_{k}": v for k, v in address.items()})
    else:
        digits = "".join(ch for ch in text if ch.isdigit())
        if len(digits) in (10, 11):
            update["phone"] = digits[-10:]
    return update


def service_address(street: str, zip_code: str) -> dict[str, str]:
    return {"street": street, "city": ZIP_CITY.get(zip_code, "Rancho Santa Margarita"),
            "zip": zip_code}
