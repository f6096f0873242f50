"""The analytics app's views."""
