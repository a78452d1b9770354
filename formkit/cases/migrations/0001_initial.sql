-- formkit case store on PostgreSQL, schema version 1 (docs/store.md, "PostgreSQL").
-- Every table carries the centre's code (the case-number prefix, `centre`), the
-- distribution column of a distributed PostgreSQL (Citus); every primary key and
-- unique constraint includes it.

-- Cases, partitioned by month of receipt (partitions made on demand by the store).
CREATE TABLE cases (
    centre      text    NOT NULL,
    number      text    NOT NULL,
    received_on date    NOT NULL,
    seq         integer NOT NULL,
    -- bumped from case_versions on every write: (count, sum) per day changes with
    -- every committed change, so a day's figures can be kept while it is unchanged
    version     bigint  NOT NULL,
    -- json, not jsonb: the document as written, keys in their order (an export
    -- prints what the embedded store would)
    doc         json    NOT NULL,
    PRIMARY KEY (centre, number, received_on)
) PARTITION BY RANGE (received_on);

CREATE INDEX cases_day ON cases (centre, received_on, version);

CREATE SEQUENCE case_versions;

-- The summaries of open cases only: what the monitor reads, without closed cases.
CREATE TABLE open_cases (
    centre      text  NOT NULL,
    number      text  NOT NULL,
    received_on date  NOT NULL,
    -- json: the monitor reads them all as one json_agg text; from jsonb each
    -- would be converted to text first (~10x the server's time)
    summary     json  NOT NULL,
    PRIMARY KEY (centre, number)
);

-- The last sequence number given per centre and receipt day.
CREATE TABLE case_counters (
    centre text    NOT NULL,
    day    date    NOT NULL,
    last   integer NOT NULL,
    PRIMARY KEY (centre, day)
);

-- Idempotency keys of create (the HTTP API's Idempotency-Key): key -> case number.
CREATE TABLE case_keys (
    centre text NOT NULL,
    key    text NOT NULL,
    number text,
    PRIMARY KEY (centre, key)
);

-- The audit trail: the sealed JSON line of each entry, as the embedded store writes
-- it, numbered per centre; audit_heads holds each chain's tail (locked per append).
CREATE TABLE audit (
    centre text   NOT NULL,
    seq    bigint NOT NULL,
    at     text   NOT NULL,
    number text,
    line   text   NOT NULL,
    PRIMARY KEY (centre, seq)
);

CREATE INDEX audit_at ON audit (centre, at);

CREATE TABLE audit_heads (
    centre text   NOT NULL PRIMARY KEY,
    seq    bigint NOT NULL,
    hash   text   NOT NULL
);

-- Matter snapshots by content hash.
CREATE TABLE versions (
    centre       text  NOT NULL,
    hash         text  NOT NULL,
    code         text,
    published_at text,
    snapshot     json  NOT NULL,
    PRIMARY KEY (centre, hash)
);
