"""The IMAP server of CôngVụ: IMAP4rev2 (RFC 9051) with IMAP4rev1 (RFC 3501) compatibility on asyncio, over the
mail store (:mod:`congvu.mailstore`) and the protocol layer (:mod:`congvu.imap`).

Layout: :mod:`listeners` binds the ports; :mod:`channel` moves bytes (flow control, COMPRESS) over :mod:`tls`;
:mod:`connection` runs one session whose state and capabilities are in :mod:`session`; :mod:`handlers` holds
the command table and one module per group of commands; :mod:`selected` keeps the selected folder's numbering;
:mod:`fetching`, :mod:`searching` and :mod:`listing` render FETCH, translate SEARCH/SORT/THREAD and match LIST
patterns; :mod:`replies` maps domain errors to responses; :mod:`services` and :mod:`limits` hold what the
listeners share.
"""

from congvu.imapserver.limits import ImapLimits
from congvu.imapserver.listeners import ImapListeners, start_imap_listeners
from congvu.imapserver.services import ImapServices, default_services

__all__ = ["ImapLimits", "ImapListeners", "ImapServices", "default_services", "start_imap_listeners"]
