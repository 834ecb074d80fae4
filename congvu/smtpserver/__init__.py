"""The SMTP server of CôngVụ: the MX on port 25 (mail for local domains only), submission on 587 (STARTTLS) and
465 (implicit TLS) with AUTH under TLS, delivering into the mail store and handing outside recipients to the
outbound queue. Built on the aiosmtpd engine; the composition root starts it with :func:`start_smtp_listeners`.
"""

from congvu.smtpserver.listeners import BoundSmtp, SmtpListeners, default_services, start_smtp_listeners

__all__ = ["BoundSmtp", "SmtpListeners", "default_services", "start_smtp_listeners"]
