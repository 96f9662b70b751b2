"""Access levels, licences and Traditional Knowledge labels.

These are choices, not tables: the policy that reads them lives in ``policy.py`` and every
view, feed and export goes through it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessLevel(models.TextChoices):
    """Who may see an item or an asset, from the widest audience to the narrowest."""

    PUBLIC = "public", _("Public: anyone")
    REGISTERED = "registered", _("Registered: signed-in users")
    COMMUNITY = "community", _("Community: members of the source community")
    RESTRICTED = "restricted", _("Restricted: curators only")


class Licence(models.TextChoices):
    CC_BY = "cc-by-4.0", "CC BY 4.0"
    CC_BY_SA = "cc-by-sa-4.0", "CC BY-SA 4.0"
    CC_BY_NC = "cc-by-nc-4.0", "CC BY-NC 4.0"
    CC_BY_NC_SA = "cc-by-nc-sa-4.0", "CC BY-NC-SA 4.0"
    CC_BY_NC_ND = "cc-by-nc-nd-4.0", "CC BY-NC-ND 4.0"
    CC0 = "cc0", _("CC0 public domain dedication")
    IN_COPYRIGHT = "in-copyright", _("In copyright")
    COMMUNITY_PROTOCOL = "community-protocol", _("Community protocol")


#: Licence URIs, as IIIF ``rights`` and Dublin Core ``rights`` want them.
LICENCE_URIS = {
    Licence.CC_BY: "http://creativecommons.org/licenses/by/4.0/",
    Licence.CC_BY_SA: "http://creativecommons.org/licenses/by-sa/4.0/",
    Licence.CC_BY_NC: "http://creativecommons.org/licenses/by-nc/4.0/",
    Licence.CC_BY_NC_SA: "http://creativecommons.org/licenses/by-nc-sa/4.0/",
    Licence.CC_BY_NC_ND: "http://creativecommons.org/licenses/by-nc-nd/4.0/",
    Licence.CC0: "http://creativecommons.org/publicdomain/zero/1.0/",
    Licence.IN_COPYRIGHT: "http://rightsstatements.org/vocab/InC/1.0/",
    Licence.COMMUNITY_PROTOCOL: "http://rightsstatements.org/vocab/InC-EDU/1.0/",
}


class TKLabel(models.TextChoices):
    """Traditional Knowledge labels (Local Contexts), chosen with the community."""

    ATTRIBUTION = "tk-attribution", _("TK Attribution")
    NON_COMMERCIAL = "tk-non-commercial", _("TK Non-Commercial")
    COMMUNITY_USE_ONLY = "tk-community-use-only", _("TK Community Use Only")
    CULTURALLY_SENSITIVE = "tk-culturally-sensitive", _("TK Culturally Sensitive")
    SEASONAL = "tk-seasonal", _("TK Seasonal")
    SECRET_SACRED = "tk-secret-sacred", _("TK Secret / Sacred")
    VERIFIED = "tk-verified", _("TK Verified")
    OUTREACH = "tk-outreach", _("TK Outreach")


class CommunityMembership(models.Model):
    """A user vouched for as a member of a source community.

    Community-level material is shown to the members of the community it comes from.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_memberships"
    )
    community = models.ForeignKey(
        "people.Person",
        on_delete=models.CASCADE,
        related_name="memberships",
        limit_choices_to={"kind": "community"},
    )
    #: Who vouched for the membership and when, for the audit trail.
    vouched_by = models.CharField(_("vouched by"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("community membership")
        verbose_name_plural = _("community memberships")
        permissions = [
            ("view_restricted", _("Can see restricted and all community material")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["user", "community"], name="unique_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} ∈ {self.community}"
