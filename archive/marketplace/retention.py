"""Enquiries hold a buyer's name and contact: kept only as long as needed to answer."""

from __future__ import annotations

from .models import Enquiry


def purge_expired() -> int:
    n, _ = Enquiry.objects.expired().delete()
    return n
