"""A consent saved or withdrawn, or a pronunciation changed, leaves the anonymous page cache
behind: the play button is drawn from the policy on every render, a cached page is not."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from archive.core import pagecache
from archive.people.models import ConsentRecord
from archive.people.signals import consent_withdrawn

from .models import Pronunciation


def _later(*args, **kwargs) -> None:
    transaction.on_commit(pagecache.invalidate)


def connect() -> None:
    post_save.connect(_later, sender=ConsentRecord, dispatch_uid="pron-consent-saved")
    consent_withdrawn.connect(pagecache.invalidate, dispatch_uid="pron-consent-withdrawn")
    post_save.connect(_later, sender=Pronunciation, dispatch_uid="pron-saved")
    post_delete.connect(_later, sender=Pronunciation, dispatch_uid="pron-deleted")
