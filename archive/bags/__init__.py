"""BagIt (RFC 8493) export and import of items, collections or the whole archive."""
