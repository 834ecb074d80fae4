"""CôngVụ: official e-mail and electronic document exchange for a Vietnamese province."""

__version__ = "0.1.0"
