"""Official documents: registers, outgoing and incoming documents, statuses, transports, signatures, policy.

A service package (NĐ 30/2020/NĐ-CP on clerical work; QCVN 102:2016/BTTTT edXML; QĐ 28/2018/QĐ-TTg exchange).
``service.documents_for(installation)`` builds :class:`~congvu.documents.service.DocumentService`, the one object
adapters use; ``http_exchange.exchange_router`` and ``publishing.public_router`` are the routers the web app
mounts; ``mail_bridge`` holds the hooks for the mail server.
"""
