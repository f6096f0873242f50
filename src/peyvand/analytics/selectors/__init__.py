"""The analytics app's selectors."""
