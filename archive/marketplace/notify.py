"""Telling an artisan or cooperative of an enquiry, through Django's mail backends (the demo
writes to the console or a folder; production to SMTP)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from .models import Enquiry

log = logging.getLogger(__name__)


def recipients(enquiry: Enquiry) -> list[str]:
    out = []
    if enquiry.artisan and enquiry.artisan.notify_email:
        out.append(enquiry.artisan.notify_email)
    coop = enquiry.cooperative
    if coop is not None:
        if coop.notify_email:
            out.append(coop.notify_email)
        if coop.manager and coop.manager.email:
            out.append(coop.manager.email)
    return list(dict.fromkeys(out)) or [settings.MHA_ENQUIRY_FALLBACK_EMAIL]


def enquiry_received(enquiry: Enquiry) -> int:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Enquiry for %(name)s: %(kind)s") % {
            "name": str(enquiry.recipient),
            "kind": enquiry.get_kind_display(),
        }
        lines = [
            _("From: %(name)s") % {"name": enquiry.name},
            _("Contact: %(contact)s") % {"contact": enquiry.contact},
        ]
        if enquiry.product:
            lines.append(_("About: %(product)s") % {"product": str(enquiry.product)})
        lines += ["", enquiry.message]
    try:
        return send_mail(
            subject,
            "\n".join(lines),
            settings.DEFAULT_FROM_EMAIL,
            recipients(enquiry),
            fail_silently=False,
        )
    except OSError as exc:
        # The enquiry is stored and visible in the admin; a mail server down loses nothing.
        log.warning("enquiry %s stored, notification not sent: %s", enquiry.pk, exc)
        return 0
