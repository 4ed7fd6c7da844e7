"""Offline downloads: per-download content keys sealed to one offline device, licenses, sync."""
