"""Creating and opening an installation (its folder, configuration, keys, database and first administrator)."""

from congvu.installation.create import create_installation
from congvu.installation.opened import Installation, open_installation

__all__ = ["Installation", "create_installation", "open_installation"]
