"""The analytics engine: the columnar snapshot of the CRM's data (``snapshot``) that the
analyses (``peyvand.analytics.expressions``, Ibis) read."""
