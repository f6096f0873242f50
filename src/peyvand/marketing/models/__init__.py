"""The marketing app's models."""
