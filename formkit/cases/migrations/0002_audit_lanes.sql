-- formkit case store on PostgreSQL, schema version 2 (docs/store.md, "PostgreSQL").
--
-- 1. The audit chain in lanes. An append locks its chain's tail row until its
--    transaction commits, so with one chain per centre every commit of a centre
--    waited for the one before it to reach the disk: 8 writers were capped near 270
--    transitions/s on 2 cores (bench/load_bench_api.py, 2026-12-07). A centre now has
--    lanes, each its own chain with its own tail row; an entry's lane follows from
--    its case number (a case's entries stay in one chain, in order), entries of no
--    case go to lane 0. Rows already there are lane 0, as they were chained.
ALTER TABLE audit ADD COLUMN lane smallint NOT NULL DEFAULT 0;
-- the order of appends across lanes (audit() reads the trail in it)
ALTER TABLE audit ADD COLUMN ord bigint;
UPDATE audit SET ord = seq;
CREATE SEQUENCE audit_order;
SELECT setval('audit_order', coalesce((SELECT max(ord) FROM audit), 0) + 1, false);
ALTER TABLE audit ALTER COLUMN ord SET DEFAULT nextval('audit_order'),
                  ALTER COLUMN ord SET NOT NULL;
ALTER TABLE audit DROP CONSTRAINT audit_pkey, ADD PRIMARY KEY (centre, lane, seq);
CREATE INDEX audit_ord ON audit (centre, ord);

ALTER TABLE audit_heads ADD COLUMN lane smallint NOT NULL DEFAULT 0;
ALTER TABLE audit_heads DROP CONSTRAINT audit_heads_pkey, ADD PRIMARY KEY (centre, lane);

-- 2. A revision on each open-case summary, from a sequence, bumped by every write:
--    a store object keeps the summaries it has read and asks only for the rows whose
--    revision it has not seen (the overdue list then reads a few rows, not thousands).
CREATE SEQUENCE open_revs;
ALTER TABLE open_cases ADD COLUMN rev bigint NOT NULL DEFAULT nextval('open_revs');
