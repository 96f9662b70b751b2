"""Search: index documents, engines, query parsing, facets and the search views."""
