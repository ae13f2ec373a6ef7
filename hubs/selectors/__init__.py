"""Reads for hubs. ``access`` is the chokepoint (and the part every other app may import)."""
