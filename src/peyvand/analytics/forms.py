"""The analytics app's forms."""
