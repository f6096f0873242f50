"""The service desk's pages."""
