"""Dashboards and reports: they read the other apps and own no data yet."""
