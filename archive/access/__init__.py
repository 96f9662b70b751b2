"""The one access policy: every door to the archive asks it who may see what."""
