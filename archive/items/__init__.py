"""Collections and the items they hold: embroidery patterns, recordings, music."""
