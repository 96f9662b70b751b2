"""Artisans, performers, speakers, communities and cooperatives, and their consent."""
