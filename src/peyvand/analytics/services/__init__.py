"""The analytics app's services."""
