-- 005: the weekly digest. Indexes that let one week's figures be read by range scans
-- (the digest never walks all records), and leases so exactly one process runs a
-- scheduled job even when several share the database.

-- Received in a week, grouped by kind, office, topic and hamlet: covered by the index.
CREATE INDEX records_commune_created ON records(commune_code, created_at, kind, office_code,
    topic, hamlet);
-- Resolved in a week (on-time rate), and open past their deadline (overdue: the
-- unresolved ones are the resolved_at IS NULL range, ordered by due_at).
CREATE INDEX records_commune_resolved ON records(commune_code, resolved_at, due_at);
-- Events of one kind in a week (transferred, reopened …), transitions into a status in a
-- week (closed, whichever action closed it), and an official's first response.
CREATE INDEX events_action_at ON events(action, at, record_id);
CREATE INDEX events_to_status_at ON events(to_status, at, from_status, record_id);
CREATE INDEX events_actor_at ON events(actor_kind, at, record_id);
-- Ratings given in a week.
CREATE INDEX ratings_at ON ratings(at, record_id);

-- One row per scheduled run ("digest:CG:2026-W47"). A process takes the lease by writing
-- its holder id and an expiry; done_at is set in the same transaction as the run's outbox
-- rows, so a run is sent once; a lease that expires without done_at (a crash) is taken over.
CREATE TABLE job_leases (
    name         TEXT PRIMARY KEY,
    holder       TEXT NOT NULL,
    leased_until TIMESTAMPTZ NOT NULL,
    done_at      TIMESTAMPTZ
);
