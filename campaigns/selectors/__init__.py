"""Reads for campaigns and events, scoped through ``campaigns.selectors.access``."""
