"""Collections and heritage items, one module per concern.

* ``people``: who is on an item and in what role (the roles are ``archive.items.roles``),
  and the consent rule for public material;
* ``base``: ``ItemPage``, the descriptive core every item shares, with its transcript lines,
  tags and admin form;
* ``embroidery``, ``recording``, ``music``: the three kinds of item;
* ``collection``: the page that holds them.

Which collection holds which kind is said once, in ``archive.items.registry``.
"""

from ..roles import CREATOR_ROLES, ROLES_NEEDING_CONSENT, Role
from .base import ItemPage, ItemPageForm, ItemTag, TranscriptCue
from .collection import CollectionPage
from .embroidery import EmbroideryPatternPage
from .music import MusicPiecePage
from .people import ItemPerson, consent_problems, people_with_roles
from .recording import RecordingPage

__all__ = [
    "CREATOR_ROLES",
    "ROLES_NEEDING_CONSENT",
    "CollectionPage",
    "EmbroideryPatternPage",
    "ItemPage",
    "ItemPageForm",
    "ItemPerson",
    "ItemTag",
    "MusicPiecePage",
    "RecordingPage",
    "Role",
    "TranscriptCue",
    "consent_problems",
    "people_with_roles",
]
