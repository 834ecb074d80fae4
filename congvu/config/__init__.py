"""Typed settings of an installation (``congvu.toml`` plus ``CONGVU_*`` environment variables)."""

from congvu.config.settings import DataDir, ListenSettings, Settings, load_settings

__all__ = ["DataDir", "ListenSettings", "Settings", "load_settings"]
