"""Panels for the media-asset form."""

from __future__ import annotations

from wagtail.admin.panels import FieldPanel


class CuratorFieldPanel(FieldPanel):
    """A field curators edit and everyone else only reads.

    The editable copy carries ``permission``, so the form itself drops the field for users
    without it (a crafted POST changes nothing); this panel shows them the value instead.
    """

    def __init__(self, field_name: str, *, permission: str, **kwargs):
        kwargs.pop("read_only", None)
        super().__init__(field_name, read_only=True, **kwargs)
        self.for_permission = permission

    def clone_kwargs(self):
        kwargs = super().clone_kwargs()
        kwargs["permission"] = self.for_permission
        kwargs.pop("read_only", None)
        return kwargs

    @classmethod
    def pair(cls, field_name: str, permission: str, **kwargs) -> list[FieldPanel]:
        """The editable panel for ``permission`` holders and the read-only one for others."""
        return [
            FieldPanel(field_name, permission=permission, **kwargs),
            cls(field_name, permission=permission, **kwargs),
        ]

    class BoundPanel(FieldPanel.BoundPanel):
        def is_shown(self):
            if self.request and self.request.user.has_perm(self.panel.for_permission):
                return False
            return super().is_shown()
