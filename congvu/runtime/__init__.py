"""How ``congvu serve`` runs as processes: listening sockets bound once and shared, a message bus between the
processes, and the main process starting and watching the worker processes."""
