-- Nobody is booked twice at once, whatever process writes the plan: the
-- database refuses overlapping intervals for the same worker or encadrant.
-- (Travel time between sites is the engine's rule; overlap is the hard floor.)
CREATE EXTENSION IF NOT EXISTS btree_gist;

ALTER TABLE "Assignment"
  ADD CONSTRAINT "Assignment_worker_no_overlap"
  EXCLUDE USING gist ("workerId" WITH =, tsrange("startsAt", "endsAt") WITH &&);

ALTER TABLE "Intervention"
  ADD CONSTRAINT "Intervention_supervisor_no_overlap"
  EXCLUDE USING gist ("supervisorId" WITH =, tsrange("startsAt", "endsAt") WITH &&)
  WHERE ("supervisorId" IS NOT NULL AND status NOT IN ('CANCELLED', 'DECLINED'));

ALTER TABLE "Intervention" ADD CONSTRAINT "Intervention_ends_after_start" CHECK ("endsAt" > "startsAt");
