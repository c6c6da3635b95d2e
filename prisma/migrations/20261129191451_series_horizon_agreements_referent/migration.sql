-- AlterTable
ALTER TABLE "Intervention" ADD COLUMN     "occurrenceDate" DATE;

-- AlterTable
ALTER TABLE "ServiceRequest" ADD COLUMN     "seriesEndedAt" TIMESTAMP(3),
ADD COLUMN     "seriesExpandedUntil" DATE,
ADD COLUMN     "seriesFirstDate" DATE,
ADD COLUMN     "seriesStartMinute" INTEGER;

-- AlterTable
ALTER TABLE "Worker" ADD COLUMN     "referentSupervisorId" TEXT;

-- CreateTable
CREATE TABLE "ScheduleChangeAgreement" (
    "id" TEXT NOT NULL,
    "interventionId" TEXT NOT NULL,
    "workerId" TEXT NOT NULL,
    "recordedById" TEXT,
    "recordedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "usedAt" TIMESTAMP(3),

    CONSTRAINT "ScheduleChangeAgreement_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ScheduleChangeAgreement_workerId_idx" ON "ScheduleChangeAgreement"("workerId");

-- CreateIndex
CREATE UNIQUE INDEX "ScheduleChangeAgreement_interventionId_workerId_key" ON "ScheduleChangeAgreement"("interventionId", "workerId");

-- CreateIndex
CREATE UNIQUE INDEX "Intervention_requestId_occurrenceDate_key" ON "Intervention"("requestId", "occurrenceDate");

-- AddForeignKey
ALTER TABLE "ScheduleChangeAgreement" ADD CONSTRAINT "ScheduleChangeAgreement_interventionId_fkey" FOREIGN KEY ("interventionId") REFERENCES "Intervention"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ScheduleChangeAgreement" ADD CONSTRAINT "ScheduleChangeAgreement_workerId_fkey" FOREIGN KEY ("workerId") REFERENCES "Worker"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ScheduleChangeAgreement" ADD CONSTRAINT "ScheduleChangeAgreement_recordedById_fkey" FOREIGN KEY ("recordedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Worker" ADD CONSTRAINT "Worker_referentSupervisorId_fkey" FOREIGN KEY ("referentSupervisorId") REFERENCES "Supervisor"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Backfill: existing interventions stand for the date they were created on (Paris),
-- and existing series were expanded up front, to their last date.
UPDATE "Intervention" i SET "occurrenceDate" = d.day
FROM (
  SELECT id, (("startsAt" AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Paris')::date AS day,
         row_number() OVER (PARTITION BY "requestId", (("startsAt" AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Paris')::date ORDER BY "createdAt", id) AS n
  FROM "Intervention"
) d
WHERE d.id = i.id AND d.n = 1;

UPDATE "ServiceRequest" r SET
  "seriesFirstDate" = f.day,
  "seriesStartMinute" = f.minute,
  "seriesExpandedUntil" = r."recurrenceUntil"
FROM (
  SELECT DISTINCT ON ("requestId") "requestId",
         (("startsAt" AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Paris')::date AS day,
         (EXTRACT(HOUR FROM (("startsAt" AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Paris')) * 60
          + EXTRACT(MINUTE FROM (("startsAt" AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Paris')))::int AS minute
  FROM "Intervention"
  ORDER BY "requestId", "startsAt"
) f
WHERE f."requestId" = r.id AND r.recurrence <> 'NONE';
