"""The adoption app's forms."""
