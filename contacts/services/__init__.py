"""Writes for people: every change that matters goes through a function here."""
