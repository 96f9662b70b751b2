class MediaError(Exception):
    """A file the pipeline refuses or cannot process; the message is for curators."""
