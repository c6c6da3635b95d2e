-- The buyer as the document names it, stored at issue (the month's manifest
-- reads it, not today's partner record). Documents issued before this column
-- get their partner's current name and SIREN once, here (none was renamed
-- since: the column did not exist); the trigger below then freezes both.
ALTER TABLE "InvoiceDocument" ADD COLUMN "buyerName" TEXT, ADD COLUMN "buyerSiren" TEXT;
ALTER TABLE "InvoiceDocument" DISABLE TRIGGER invoice_document_immutable;
UPDATE "InvoiceDocument" d
   SET "buyerName" = o.name, "buyerSiren" = left(regexp_replace(coalesce(o.siret, ''), '\D', '', 'g'), 9)
  FROM "Organisation" o
 WHERE o.id = d."organisationId";
ALTER TABLE "InvoiceDocument" ENABLE TRIGGER invoice_document_immutable;
ALTER TABLE "InvoiceDocument" ALTER COLUMN "buyerName" SET NOT NULL, ALTER COLUMN "buyerSiren" SET NOT NULL;

-- An issued document is never rewritten (now with its buyer), and the archive
-- cannot be emptied by TRUNCATE either, which skips row triggers.
CREATE OR REPLACE FUNCTION invoice_document_refuse_change() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    RAISE EXCEPTION 'InvoiceDocument is an archive: TRUNCATE is refused';
  END IF;
  IF TG_OP = 'DELETE' THEN
    IF OLD."retainUntil" > CURRENT_DATE THEN
      RAISE EXCEPTION 'InvoiceDocument % is kept until %', OLD.number, OLD."retainUntil";
    END IF;
    RETURN OLD;
  END IF;
  IF NEW.bytes IS DISTINCT FROM OLD.bytes OR NEW.sha256 IS DISTINCT FROM OLD.sha256 OR NEW.number IS DISTINCT FROM OLD.number
     OR NEW.kind IS DISTINCT FROM OLD.kind OR NEW."invoiceId" IS DISTINCT FROM OLD."invoiceId" OR NEW."creditNoteId" IS DISTINCT FROM OLD."creditNoteId"
     OR NEW."issueDate" IS DISTINCT FROM OLD."issueDate" OR NEW."totalInclVatCents" IS DISTINCT FROM OLD."totalInclVatCents"
     OR NEW."organisationId" IS DISTINCT FROM OLD."organisationId" OR NEW."retainUntil" < OLD."retainUntil"
     OR NEW."buyerName" IS DISTINCT FROM OLD."buyerName" OR NEW."buyerSiren" IS DISTINCT FROM OLD."buyerSiren" THEN
    RAISE EXCEPTION 'InvoiceDocument % is immutable', OLD.number;
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER invoice_document_no_truncate
  BEFORE TRUNCATE ON "InvoiceDocument"
  FOR EACH STATEMENT EXECUTE FUNCTION invoice_document_refuse_change();
