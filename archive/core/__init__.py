"""The site's frame: home page, health check, language and site-wide helpers."""
