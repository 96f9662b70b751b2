"""OAI-PMH 2.0 at ``/oai``: the archive's public items as Dublin Core records for aggregators."""
