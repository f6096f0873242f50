"""The notifications' pages."""
