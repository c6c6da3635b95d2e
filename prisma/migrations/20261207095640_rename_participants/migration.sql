-- Names (issue 21): the people in insertion are "participants" (a "worker" is now only a
-- background process), and a recurring order's own fields say "recurrence" ("series" is now
-- only an invoice-number series). Renames only: every row, key and constraint is kept.
-- Written by hand (db:new would drop and create); the loops also rename what other
-- migrations added on these tables (indexes, constraints), so the names match schema.prisma.

-- Tables and columns
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname ~ 'Worker' LOOP
    EXECUTE format('ALTER TABLE %I RENAME TO %I', r.relname, replace(r.relname, 'Worker', 'Participant'));
  END LOOP;
  FOR r IN SELECT table_name, column_name FROM information_schema.columns
           WHERE table_schema = current_schema() AND (column_name ~ '[wW]orker' OR column_name ~ '^series(FirstDate|StartMinute|ExpandedUntil|EndedAt)$') LOOP
    EXECUTE format('ALTER TABLE %I RENAME COLUMN %I TO %I', r.table_name, r.column_name,
      regexp_replace(replace(replace(replace(replace(r.column_name, 'Workers', 'Participants'), 'Worker', 'Participant'), 'workers', 'participants'), 'worker', 'participant'),
                     '^series', 'recurrence'));
  END LOOP;
END $$;

-- Constraints (primary keys, unique, foreign keys, the no-double-booking exclusion), then the other indexes
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT t.relname AS tbl, c.conname FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
           WHERE n.nspname = current_schema() AND (c.conname ~ '[wW]orker' OR c.conname ~ '_series(FirstDate|StartMinute|ExpandedUntil|EndedAt)') LOOP
    EXECUTE format('ALTER TABLE %I RENAME CONSTRAINT %I TO %I', r.tbl, r.conname,
      replace(replace(replace(replace(replace(r.conname, 'Workers', 'Participants'), 'Worker', 'Participant'), 'workers', 'participants'), 'worker', 'participant'), '_series', '_recurrence'));
  END LOOP;
  FOR r IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = current_schema() AND c.relkind = 'i' AND (c.relname ~ '[wW]orker' OR c.relname ~ '_series(FirstDate|StartMinute|ExpandedUntil|EndedAt)') LOOP
    EXECUTE format('ALTER INDEX %I RENAME TO %I', r.relname,
      replace(replace(replace(replace(replace(r.relname, 'Workers', 'Participants'), 'Worker', 'Participant'), 'workers', 'participants'), 'worker', 'participant'), '_series', '_recurrence'));
  END LOOP;
END $$;

-- The hourly price unit
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid WHERE t.typname = 'PricingUnit' AND e.enumlabel = 'PER_WORKER_HOUR') THEN
    ALTER TYPE "PricingUnit" RENAME VALUE 'PER_WORKER_HOUR' TO 'PER_PARTICIPANT_HOUR';
  END IF;
END $$;
