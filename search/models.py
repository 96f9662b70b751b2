"""Tables of the embedded (database) search engine, and the index work waiting for a
distributed engine that was down.

``SearchDocument`` holds one row per live item: the access fields and facet keys as
columns (so SQL filters by access before it counts), the document itself as JSON (to show
hits without touching the page tree), and ``body``: the tokens of ``search.text`` that the
full-text index (SQLite FTS5 or a PostgreSQL ``tsvector``, created by migration 0002) reads.
"""

from __future__ import annotations

from django.db import models


class SearchDocument(models.Model):
    """An item as the database engine searches it."""

    item_id = models.BigIntegerField(primary_key=True)
    access_level = models.CharField(max_length=20, db_index=True)
    community_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    collection = models.CharField(max_length=80, blank=True, db_index=True)
    item_type = models.CharField(max_length=20, blank=True, db_index=True)
    year = models.IntegerField(null=True, blank=True, db_index=True)
    published = models.DateTimeField(null=True, blank=True, db_index=True)
    sort_title = models.CharField(max_length=255, blank=True, db_index=True)
    #: Encoded tokens (see ``search.text.encode_token``), read by the full-text index.
    body = models.TextField(blank=True)
    data = models.JSONField(default=dict)

    class Meta:
        verbose_name = "search document"

    def __str__(self) -> str:
        return f"search document {self.item_id}"


class SearchFacetValue(models.Model):
    """One facet key of a document (a document has many motifs, one type, …)."""

    doc = models.ForeignKey(SearchDocument, on_delete=models.CASCADE, related_name="facet_values")
    facet = models.CharField(max_length=20)
    value = models.CharField(max_length=80)

    class Meta:
        indexes = [models.Index(fields=["facet", "value", "doc"], name="search_facet_fvd")]

    def __str__(self) -> str:
        return f"{self.facet}={self.value}"


class PendingIndexOp(models.Model):
    """Index work the distributed engine missed while it was down; replayed by the
    ``search_catch_up`` task or command once it answers again."""

    class Action(models.TextChoices):
        INDEX = "index"
        DELETE = "delete"

    item_id = models.BigIntegerField(unique=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    created = models.DateTimeField(auto_now=True)
    attempts = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.action} item {self.item_id}"
