-- CreateEnum
CREATE TYPE "InvoiceDocumentKind" AS ENUM ('INVOICE', 'CREDIT_NOTE', 'INTERNAL_STATEMENT');

-- CreateTable
CREATE TABLE "InvoiceDocument" (
    "id" TEXT NOT NULL,
    "kind" "InvoiceDocumentKind" NOT NULL,
    "invoiceId" TEXT,
    "creditNoteId" TEXT,
    "organisationId" TEXT NOT NULL,
    "number" TEXT NOT NULL,
    "issueDate" DATE NOT NULL,
    "totalInclVatCents" INTEGER NOT NULL,
    "bytes" BYTEA NOT NULL,
    "sha256" TEXT NOT NULL,
    "transmissionStatus" TEXT NOT NULL DEFAULT 'pending',
    "platformName" TEXT,
    "platformReference" TEXT,
    "transmittedAt" TIMESTAMP(3),
    "courtesyMailId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retainUntil" DATE NOT NULL,

    CONSTRAINT "InvoiceDocument_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "InvoiceDocument_invoiceId_key" ON "InvoiceDocument"("invoiceId");

-- CreateIndex
CREATE UNIQUE INDEX "InvoiceDocument_creditNoteId_key" ON "InvoiceDocument"("creditNoteId");

-- CreateIndex
CREATE UNIQUE INDEX "InvoiceDocument_number_key" ON "InvoiceDocument"("number");

-- CreateIndex
CREATE INDEX "InvoiceDocument_issueDate_idx" ON "InvoiceDocument"("issueDate");

-- CreateIndex
CREATE INDEX "InvoiceDocument_organisationId_issueDate_idx" ON "InvoiceDocument"("organisationId", "issueDate");

-- AddForeignKey
ALTER TABLE "InvoiceDocument" ADD CONSTRAINT "InvoiceDocument_invoiceId_fkey" FOREIGN KEY ("invoiceId") REFERENCES "Invoice"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InvoiceDocument" ADD CONSTRAINT "InvoiceDocument_creditNoteId_fkey" FOREIGN KEY ("creditNoteId") REFERENCES "CreditNote"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InvoiceDocument" ADD CONSTRAINT "InvoiceDocument_organisationId_fkey" FOREIGN KEY ("organisationId") REFERENCES "Organisation"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- An issued document is never rewritten: its content, number and identity are
-- frozen; only its transmission status may move. No deletion before retainUntil.
CREATE FUNCTION invoice_document_refuse_change() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD."retainUntil" > CURRENT_DATE THEN
      RAISE EXCEPTION 'InvoiceDocument % is kept until %', OLD.number, OLD."retainUntil";
    END IF;
    RETURN OLD;
  END IF;
  IF NEW.bytes IS DISTINCT FROM OLD.bytes OR NEW.sha256 IS DISTINCT FROM OLD.sha256 OR NEW.number IS DISTINCT FROM OLD.number
     OR NEW.kind IS DISTINCT FROM OLD.kind OR NEW."invoiceId" IS DISTINCT FROM OLD."invoiceId" OR NEW."creditNoteId" IS DISTINCT FROM OLD."creditNoteId"
     OR NEW."issueDate" IS DISTINCT FROM OLD."issueDate" OR NEW."totalInclVatCents" IS DISTINCT FROM OLD."totalInclVatCents"
     OR NEW."organisationId" IS DISTINCT FROM OLD."organisationId" OR NEW."retainUntil" < OLD."retainUntil" THEN
    RAISE EXCEPTION 'InvoiceDocument % is immutable', OLD.number;
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER invoice_document_immutable
  BEFORE UPDATE OR DELETE ON "InvoiceDocument"
  FOR EACH ROW EXECUTE FUNCTION invoice_document_refuse_change();
