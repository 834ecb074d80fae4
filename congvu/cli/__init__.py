"""The ``congvu`` command line: an adapter from arguments to service calls."""
