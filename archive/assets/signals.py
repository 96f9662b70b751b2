"""Signals the assets app sends for the layers above it (search), which it must not import."""

from django.dispatch import Signal

#: Sent (``sender=MediaAsset``, ``asset_id``, ``item_id``) once an asset's derivatives are
#: all made and it is ready: what is indexed from its pictures (their colours) can be read.
asset_ready = Signal()
