"""Ingest, probing, derivatives and fixity for the archive's media.

Originals are stored once, content-addressed by SHA-256 and never modified; every derivative
can be rebuilt from them. Steps are small and named, formats are data (``specs.py``), and
every external program is called with an argument list, never through a shell.
"""
