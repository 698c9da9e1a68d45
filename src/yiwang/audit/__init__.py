"""The audit log (审计日志): an append-only, hash-chained record of every change to a case.

Each change is one :class:`~yiwang.audit.models.AuditEntry`: who (actor, organization, role),
what (action, before/after), when, why (reason) and from where (client address), plus the hash
of the case's previous entry, so each case has its own hash chain. Entries are never updated or
deleted: the ORM refuses it, and database triggers refuse it too. Periodically, the entries
written since the last checkpoint are sealed into an :class:`~yiwang.audit.models.AuditCheckpoint`
(count and SM3 Merkle root over their hashes, chained to the previous checkpoint), so that even
removing a case's whole history is detected. ``yiwang audit verify`` checks all of it.

Retention. Entries are kept for at least six months (网络安全法 第二十一条: network logs are kept
for no less than six months); in practice for the life of the case file. Archiving is done by
sealed checkpoint ranges, never by single entries: export a range ``(previous checkpoint's
last_entry_id, last_entry_id]``, verify the export against the checkpoint's count and Merkle
root, and only then may a database administrator remove that range (which requires dropping the
triggers, so it cannot happen from the application). Archiving is not implemented here.
"""
