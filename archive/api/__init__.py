"""The read-only JSON API v1 (`/api/v1/`), described by OpenAPI 3.1 (`openapi.json`)."""
