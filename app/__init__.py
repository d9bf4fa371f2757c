"""Collector Workstation: the collection department's desktop application."""

__version__ = "0.1.0"
