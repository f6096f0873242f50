"""The marketing app's services."""
