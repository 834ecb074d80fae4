"""Tables of the official documents: registers, outgoing and incoming documents, statuses, transport, policy.

Layout (NĐ 30/2020/NĐ-CP Điều 15–24 and Phụ lục IV–VI; QCVN 102:2016 for the exchange):

- ``doc_registers``: the registers (sổ) of an agency. ``direction`` is ``outgoing`` (văn bản đi) or ``incoming``
  (văn bản đến); ``doc_types`` lists the type codes an outgoing register numbers (null: every type not taken by
  another register). Incoming documents share one register per agency (one số đến sequence a year).
- ``doc_register_counters``: the last number issued per (register, calendar year). It is incremented in the same
  transaction that stores the document, under the row lock the UPDATE takes, so numbers never skip and never
  repeat; ``uq`` constraints on the documents are the second line of defence.
- ``doc_outgoing``: documents of our agencies, from draft to issued (and recalled: frozen, never deleted, its
  number never reused). ``document_id`` is the QCVN 102 DocumentId, set at issue.
- ``doc_files``: main file and appendixes of an outgoing (``owner`` = ``outgoing``) or incoming document; bytes in
  the blob store by SHA-256, so a file sent to eighty agencies is stored once.
- ``doc_recipients``: per recipient agency of an outgoing document, how it is carried, where it stands (the last
  edXML status reported) and what paper obligation remains.
- ``doc_incoming``: one row per (receiving agency, DocumentId); registration gives the số đến.
- ``doc_incoming_links``: how an incoming entry relates to another document of the same sender, as a package's
  ``Bussiness`` block said (QCVN 102: 3 thay thế, 2 cập nhật): one row on each side (``replaces`` /
  ``replaced_by``, ``updates`` / ``updated_by``), with the package of an update attached to the earlier entry.
- ``doc_assignments``: chuyển — to a unit or person, with an instruction and a deadline.
- ``doc_events``: every status sent or received (edXML status code, who, when), the history a sender reads.
- ``doc_signatures``: what the PDF signatures of a file said when they were checked.
- ``doc_quarantine``: packages refused or flagged on arrival, kept with their bytes for inspection.
- ``doc_outbox``: packages waiting for their transport, claimed by one process at a time.
- ``doc_exchange_peers``: other systems reached over the HTTP exchange, and the shared secret of the HMAC.
- ``doc_trust_anchors``: the certificates whose signatures on PDFs are trusted.
- ``doc_agency_profiles``: per agency, the place name of the dateline and its signing certificate (PKCS#12).
- ``doc_paper_policies``: the province's timetable of which types go electronic only and which also on paper.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from congvu.store.schema import metadata

UTC = DateTime(timezone=True)

doc_registers = Table(
    "doc_registers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("agency_id", Integer, ForeignKey("agencies.id"), nullable=False, index=True),
    Column("direction", String(10), nullable=False),  # outgoing | incoming
    Column("name", String(200), nullable=False),
    Column("doc_types", JSON, nullable=True),
    Column("created_at", UTC, nullable=False),
    UniqueConstraint("agency_id", "direction", "name", name="uq_doc_registers_agency_name"),
)

doc_register_counters = Table(
    "doc_register_counters",
    metadata,
    Column("register_id", Integer, ForeignKey("doc_registers.id"), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("last_number", Integer, nullable=False),
    Column("updated_at", UTC, nullable=False),
)

doc_outgoing = Table(
    "doc_outgoing",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("agency_id", Integer, ForeignKey("agencies.id"), nullable=False, index=True),
    Column("state", String(20), nullable=False),  # draft | issued | recalled
    Column("document_id", String(120), nullable=True, unique=True),
    Column("doc_type", String(40), nullable=False),
    Column("type_name", String(100), nullable=False),
    Column("subject", String(500), nullable=False),
    Column("content", Text, nullable=True),
    Column("drafting_unit", String(60), nullable=True),
    Column("register_id", Integer, ForeignKey("doc_registers.id"), nullable=True),
    Column("year", Integer, nullable=True),
    Column("number", Integer, nullable=True),
    Column("notation", String(60), nullable=True),
    Column("number_text", String(80), nullable=True),
    Column("place", String(100), nullable=True),
    Column("issued_on", Date, nullable=True),
    Column("issued_at", UTC, nullable=True),
    Column("signer_competence", String(200), nullable=False, default=""),
    Column("signer_position", String(100), nullable=False, default=""),
    Column("signer_name", String(50), nullable=False, default=""),
    Column("secrecy", Integer, nullable=False, default=0),
    Column("urgency", Integer, nullable=False, default=0),
    Column("due_date", Date, nullable=True),
    Column("kinh_gui", JSON, nullable=False),
    Column("noi_nhan", JSON, nullable=False),
    Column("response_for", JSON, nullable=False),
    Column("signed", Boolean, nullable=False, default=False),
    Column("paper", Boolean, nullable=False, default=False),
    Column("edxml_sha256", String(64), nullable=True),
    Column("recalled_at", UTC, nullable=True),
    Column("recall_reason", Text, nullable=True),
    Column("replaces", String(120), nullable=True),  # DocumentId of the earlier document this one replaces
    Column("published_at", UTC, nullable=True),
    Column("created_by", String(320), nullable=False),
    Column("created_at", UTC, nullable=False),
    Column("updated_at", UTC, nullable=False),
    UniqueConstraint("register_id", "year", "number", name="uq_doc_outgoing_register_number"),
    UniqueConstraint("agency_id", "year", "number_text", name="uq_doc_outgoing_agency_number_text"),
)

doc_files = Table(
    "doc_files",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("owner", String(10), nullable=False),  # outgoing | incoming
    Column("owner_id", Integer, nullable=False),
    Column("role", String(10), nullable=False),  # main | appendix | update | stamped
    Column("position", Integer, nullable=False),
    Column("name", String(255), nullable=False),
    Column("content_type", String(200), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
)

doc_recipients = Table(
    "doc_recipients",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("outgoing_id", Integer, ForeignKey("doc_outgoing.id"), nullable=False, index=True),
    Column("organ_id", String(35), nullable=False),
    Column("organ_name", String(300), nullable=False),
    Column("local_agency_id", Integer, ForeignKey("agencies.id"), nullable=True),
    Column("transport", String(20), nullable=False),  # local | http | mail
    Column("purpose", String(20), nullable=True),
    Column("sent_at", UTC, nullable=True),
    Column("status_code", String(2), nullable=True),
    Column("status_at", UTC, nullable=True),
    Column("status_description", Text, nullable=True),
    Column("paper_required", Boolean, nullable=False, default=False),
    Column("paper_note", Text, nullable=True),
    UniqueConstraint("outgoing_id", "organ_id", name="uq_doc_recipients_document_organ"),
)

doc_incoming = Table(
    "doc_incoming",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("agency_id", Integer, ForeignKey("agencies.id"), nullable=False, index=True),
    Column("document_id", String(120), nullable=False),
    Column("from_organ_id", String(35), nullable=False),
    Column("from_name", String(300), nullable=False),
    Column("number_text", String(80), nullable=False),
    Column("type_name", String(100), nullable=False),
    Column("subject", String(500), nullable=False),
    Column("place", String(100), nullable=True),
    Column("promulgation_date", Date, nullable=True),
    Column("signer_competence", String(200), nullable=False, default=""),
    Column("signer_position", String(100), nullable=False, default=""),
    Column("signer_name", String(50), nullable=False, default=""),
    Column("urgency", Integer, nullable=False, default=0),
    Column("due_date", Date, nullable=True),
    Column("business_doc_type", Integer, nullable=False, default=0),
    Column("paper", Boolean, nullable=False, default=False),
    Column("package_sha256", String(64), nullable=False),
    Column("transport", String(20), nullable=False),
    Column("arrived_at", UTC, nullable=False),
    Column("warnings", JSON, nullable=False),
    Column("signature_summary", String(40), nullable=False, default="none"),
    Column("register_id", Integer, ForeignKey("doc_registers.id"), nullable=True),
    Column("arrival_year", Integer, nullable=True),
    Column("arrival_number", Integer, nullable=True),
    Column("arrival_date", Date, nullable=True),
    Column("registered_by", String(320), nullable=True),
    Column("status_code", String(2), nullable=False),
    Column("status_at", UTC, nullable=False),
    Column("before_recall", String(2), nullable=True),
    Column("handler", String(300), nullable=True),
    Column("handling_deadline", Date, nullable=True),
    Column("cancelled_at", UTC, nullable=True),
    UniqueConstraint("agency_id", "document_id", name="uq_doc_incoming_agency_document"),
    UniqueConstraint("register_id", "arrival_year", "arrival_number", name="uq_doc_incoming_arrival_number"),
)

doc_incoming_links = Table(
    "doc_incoming_links",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("incoming_id", Integer, ForeignKey("doc_incoming.id"), nullable=False, index=True),
    Column("kind", String(20), nullable=False),  # replaces | replaced_by | updates | updated_by
    Column("document_id", String(120), nullable=False),  # the other document's DocumentId
    Column("other_incoming_id", Integer, ForeignKey("doc_incoming.id"), nullable=True),
    Column("package_sha256", String(64), nullable=True),  # the package that made the link
    Column("reason", String(500), nullable=False, default=""),
    Column("at", UTC, nullable=False),
)

doc_assignments = Table(
    "doc_assignments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("incoming_id", Integer, ForeignKey("doc_incoming.id"), nullable=False, index=True),
    Column("to_unit", String(300), nullable=True),
    Column("to_person", String(320), nullable=True),
    Column("instruction", Text, nullable=True),
    Column("deadline", Date, nullable=True),
    Column("assigned_by", String(320), nullable=False),
    Column("assigned_at", UTC, nullable=False),
)

doc_events = Table(
    "doc_events",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("direction", String(10), nullable=False),  # sent | received
    Column("document_id", String(120), nullable=False, index=True),
    Column("organ_id", String(35), nullable=False),  # who reported the status
    Column("status_code", String(2), nullable=False),
    Column("description", Text, nullable=True),
    Column("staff", String(300), nullable=True),
    Column("at", UTC, nullable=False),
    Column("recorded_at", UTC, nullable=False),
)

doc_signatures = Table(
    "doc_signatures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("file_id", Integer, ForeignKey("doc_files.id"), nullable=False, index=True),
    Column("field_name", String(200), nullable=False),
    Column("signer_name", String(300), nullable=False),
    Column("signer_subject", Text, nullable=False),
    Column("issuer", Text, nullable=False),
    Column("serial", String(100), nullable=False),
    Column("signing_time", UTC, nullable=True),
    Column("intact", Boolean, nullable=False),
    Column("valid", Boolean, nullable=False),
    Column("trusted", Boolean, nullable=False),
    Column("covers_whole_file", Boolean, nullable=False),
    Column("summary", Text, nullable=False),
    Column("checked_at", UTC, nullable=False),
)

doc_quarantine = Table(
    "doc_quarantine",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("received_at", UTC, nullable=False, index=True),
    Column("transport", String(20), nullable=False),
    Column("reason", String(40), nullable=False),  # malformed | invalid | misaddressed | duplicate | …
    Column("message", Text, nullable=False),
    Column("message_en", Text, nullable=False),
    Column("kind", String(10), nullable=True),  # edoc | status
    Column("document_id", String(120), nullable=True),
    Column("from_organ_id", String(35), nullable=True),
    Column("sha256", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("resolved_at", UTC, nullable=True),
)

doc_outbox = Table(
    "doc_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(10), nullable=False),  # edoc | status
    Column("document_id", String(120), nullable=False),
    Column("sender_organ_id", String(35), nullable=False),
    Column("recipient_organ_id", String(35), nullable=False),
    Column("transport", String(20), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("created_at", UTC, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTC, nullable=False),
    Column("claimed_until", UTC, nullable=True),
    Column("sent_at", UTC, nullable=True),
    Column("last_error", Text, nullable=True),
)

doc_exchange_peers = Table(
    "doc_exchange_peers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("base_url", String(500), nullable=False),
    Column("local_system_id", String(100), nullable=False),
    Column("remote_system_id", String(100), nullable=False, unique=True),
    Column("secret", String(200), nullable=False),
    Column("organ_prefixes", JSON, nullable=False),
    Column("created_at", UTC, nullable=False),
)

doc_trust_anchors = Table(
    "doc_trust_anchors",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(300), nullable=False),
    Column("fingerprint", String(64), nullable=False, unique=True),
    Column("pem", Text, nullable=False),
    Column("added_at", UTC, nullable=False),
)

doc_agency_profiles = Table(
    "doc_agency_profiles",
    metadata,
    Column("agency_id", Integer, ForeignKey("agencies.id"), primary_key=True),
    Column("place", String(100), nullable=True),
    Column("pkcs12_path", Text, nullable=True),
    Column("passphrase_path", Text, nullable=True),
    Column("updated_at", UTC, nullable=False),
)

doc_paper_policies = Table(
    "doc_paper_policies",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("doc_type", String(40), nullable=True),  # null: every type
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=True),  # exclusive
    Column("mode", String(30), nullable=False),  # electronic_only | electronic_and_paper
    Column("signed_exempt", Boolean, nullable=False, default=False),
    Column("note", Text, nullable=True),
    Column("created_at", UTC, nullable=False),
)

Index("ix_doc_files_owner", doc_files.c.owner, doc_files.c.owner_id)
Index("ix_doc_outbox_pending", doc_outbox.c.sent_at, doc_outbox.c.next_attempt_at)
Index("ix_doc_incoming_document_id", doc_incoming.c.document_id)
