"""Signals of the people app.

``consent_withdrawn`` is sent (after the transaction commits) when a consent record is
withdrawn, with ``consent`` (the ``ConsentRecord``) and ``user`` (who entered it, or None).
"""

from django.dispatch import Signal

consent_withdrawn = Signal()
