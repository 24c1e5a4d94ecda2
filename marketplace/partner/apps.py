import oscar.apps.partner.apps as apps


class PartnerConfig(apps.PartnerConfig):
    """Oscar's partner app, forked (label "partner") for our pricing and availability strategy."""

    name = "marketplace.partner"
