"""Writes for campaigns and events: each service is one transaction; tasks enqueue on commit."""
