"""Outbound delivery: the durable queue, the worker that delivers it over SMTP, DKIM signing and DSNs."""
