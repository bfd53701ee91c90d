"""Geoparsing: find place mentions in text and resolve them in context."""
