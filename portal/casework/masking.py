"""Identity as a case page shows it before anyone presses "show": enough to tell people apart,
not enough to identify them (王** / 139****5678)."""


def mask_name(name):
    return (name[0] + "*" * max(1, len(name) - 1)) if name else ""


def mask_phone(phone):
    if not phone:
        return ""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_email(email):
    if not email or "@" not in email:
        return "*" * len(email or "")
    local, _, domain = email.partition("@")
    return local[:1] + "***@" + domain


def mask_tail(value, keep=4):
    """ID numbers, addresses: only the last few characters."""
    if not value:
        return ""
    return "*" * max(0, len(value) - keep) + value[-keep:] if len(value) > keep else "*" * len(value)


def masked(reporter):
    """The reporter's fields, masked, in the order the case page lists them."""
    return {
        "name": mask_name(reporter.name),
        "phone": mask_phone(reporter.phone),
        "postal_address": mask_tail(reporter.postal_address),
        "id_number": mask_tail(reporter.id_number),
        "email": mask_email(reporter.email),
    }


def shown(reporter):
    return {
        "name": reporter.name or "",
        "phone": reporter.phone or "",
        "postal_address": reporter.postal_address or "",
        "id_number": reporter.id_number or "",
        "email": reporter.email or "",
    }
