"""The marketing app's forms."""
