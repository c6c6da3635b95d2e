-- CreateEnum
CREATE TYPE "DisputeOutcome" AS ENUM ('KEEP', 'CORRECT', 'WAIVE');

-- DropIndex
DROP INDEX "Invoice_organisationId_kind_periodStart_key";

-- DropIndex
DROP INDEX "InvoiceLine_interventionId_key";

-- AlterTable
ALTER TABLE "Dispute" ADD COLUMN     "correctedMinutes" INTEGER,
ADD COLUMN     "outcome" "DisputeOutcome";

-- CreateTable
CREATE TABLE "BillingClaim" (
    "interventionId" TEXT NOT NULL,
    "invoiceLineId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BillingClaim_pkey" PRIMARY KEY ("interventionId")
);

-- CreateIndex
CREATE UNIQUE INDEX "BillingClaim_invoiceLineId_key" ON "BillingClaim"("invoiceLineId");

-- CreateIndex
CREATE UNIQUE INDEX "Dispute_interventionId_key" ON "Dispute"("interventionId") WHERE ("settledAt" IS NULL);

-- CreateIndex
CREATE UNIQUE INDEX "Invoice_organisationId_kind_periodStart_key" ON "Invoice"("organisationId", "kind", "periodStart") WHERE (status <> 'VOID');

-- CreateIndex
CREATE INDEX "InvoiceLine_interventionId_idx" ON "InvoiceLine"("interventionId");

-- AddForeignKey
ALTER TABLE "BillingClaim" ADD CONSTRAINT "BillingClaim_interventionId_fkey" FOREIGN KEY ("interventionId") REFERENCES "Intervention"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BillingClaim" ADD CONSTRAINT "BillingClaim_invoiceLineId_fkey" FOREIGN KEY ("invoiceLineId") REFERENCES "InvoiceLine"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Backfill: the line of every live invoice holds its intervention's claim.
INSERT INTO "BillingClaim" ("interventionId", "invoiceLineId")
SELECT DISTINCT ON (l."interventionId") l."interventionId", l.id
FROM "InvoiceLine" l JOIN "Invoice" i ON i.id = l."invoiceId"
WHERE l."interventionId" IS NOT NULL AND i.status <> 'VOID'
ORDER BY l."interventionId", i."createdAt";

-- Interventions of invoices voided before this change were left "invoiced": they are done, to bill again.
UPDATE "Intervention" SET status = 'DONE'
WHERE status = 'INVOICED' AND NOT EXISTS (SELECT 1 FROM "BillingClaim" c WHERE c."interventionId" = "Intervention".id);

-- No intervention is ever on two live invoices: the claim's primary key allows one,
-- and these triggers make the claim mandatory for every line of a live invoice.
-- Deferred to the commit, so a draft can be rebuilt (lines deleted, then written again).
CREATE FUNCTION invoice_line_unclaimed(line_id text) RETURNS boolean AS $$
  SELECT EXISTS (
    SELECT 1 FROM "InvoiceLine" l JOIN "Invoice" i ON i.id = l."invoiceId"
    WHERE l.id = line_id AND l."interventionId" IS NOT NULL AND i.status <> 'VOID'
      AND NOT EXISTS (SELECT 1 FROM "BillingClaim" c WHERE c."invoiceLineId" = l.id AND c."interventionId" = l."interventionId"))
$$ LANGUAGE sql STABLE;

CREATE FUNCTION invoice_line_requires_claim() RETURNS trigger AS $$
DECLARE
  line_id text;
BEGIN
  IF TG_TABLE_NAME = 'InvoiceLine' THEN
    line_id := NEW.id;
  ELSE
    line_id := OLD."invoiceLineId";
  END IF;
  IF invoice_line_unclaimed(line_id) THEN
    RAISE EXCEPTION 'Invoice line % bills an intervention without holding its billing claim (only a void releases it)', line_id
      USING ERRCODE = '23514';
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER invoice_line_requires_claim
  AFTER INSERT OR UPDATE OF "interventionId", "invoiceId" ON "InvoiceLine"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION invoice_line_requires_claim();

CREATE CONSTRAINT TRIGGER billing_claim_released_only_by_void
  AFTER DELETE OR UPDATE ON "BillingClaim"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION invoice_line_requires_claim();

-- A claim names the intervention its line bills.
CREATE FUNCTION billing_claim_matches_line() RETURNS trigger AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM "InvoiceLine" l WHERE l.id = NEW."invoiceLineId" AND l."interventionId" = NEW."interventionId") THEN
    RAISE EXCEPTION 'Billing claim of intervention % does not match line %', NEW."interventionId", NEW."invoiceLineId" USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER billing_claim_matches_line
  BEFORE INSERT OR UPDATE ON "BillingClaim"
  FOR EACH ROW EXECUTE FUNCTION billing_claim_matches_line();

-- A voided invoice stays void: its lines no longer hold claims.
CREATE FUNCTION invoice_void_is_final() RETURNS trigger AS $$
BEGIN
  IF OLD.status = 'VOID' AND NEW.status <> 'VOID' THEN
    RAISE EXCEPTION 'Invoice % is void: a void is final', OLD.id USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER invoice_void_is_final
  BEFORE UPDATE OF status ON "Invoice"
  FOR EACH ROW EXECUTE FUNCTION invoice_void_is_final();
