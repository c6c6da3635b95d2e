-- CreateTable
CREATE TABLE "EInvoiceTransmission" (
    "documentId" TEXT NOT NULL,
    "trackingId" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'queued',
    "flowId" TEXT,
    "addressingId" TEXT,
    "routingCode" TEXT,
    "ackStatus" TEXT,
    "lifecycleCode" TEXT,
    "problem" TEXT,
    "submitStartedAt" TIMESTAMP(3),
    "submittedAt" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "EInvoiceTransmission_pkey" PRIMARY KEY ("documentId")
);

-- CreateTable
CREATE TABLE "EInvoiceStatusEvent" (
    "id" TEXT NOT NULL,
    "documentId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "reason" TEXT,
    "occurredAt" TIMESTAMP(3) NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "source" TEXT NOT NULL,
    "dedupeKey" TEXT NOT NULL,

    CONSTRAINT "EInvoiceStatusEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EInvoicePaymentReport" (
    "paymentId" TEXT NOT NULL,
    "documentId" TEXT NOT NULL,
    "trackingId" TEXT NOT NULL,
    "amountCents" INTEGER NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'queued',
    "flowId" TEXT,
    "problem" TEXT,
    "submitStartedAt" TIMESTAMP(3),
    "sentAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "EInvoicePaymentReport_pkey" PRIMARY KEY ("paymentId")
);

-- CreateTable
CREATE TABLE "EInvoicePollCursor" (
    "id" TEXT NOT NULL,
    "updatedAfter" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "EInvoicePollCursor_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "EInvoiceTransmission_trackingId_key" ON "EInvoiceTransmission"("trackingId");

-- CreateIndex
CREATE UNIQUE INDEX "EInvoiceTransmission_flowId_key" ON "EInvoiceTransmission"("flowId");

-- CreateIndex
CREATE INDEX "EInvoiceTransmission_state_idx" ON "EInvoiceTransmission"("state");

-- CreateIndex
CREATE UNIQUE INDEX "EInvoiceStatusEvent_dedupeKey_key" ON "EInvoiceStatusEvent"("dedupeKey");

-- CreateIndex
CREATE INDEX "EInvoiceStatusEvent_documentId_occurredAt_idx" ON "EInvoiceStatusEvent"("documentId", "occurredAt");

-- CreateIndex
CREATE UNIQUE INDEX "EInvoicePaymentReport_trackingId_key" ON "EInvoicePaymentReport"("trackingId");

-- CreateIndex
CREATE UNIQUE INDEX "EInvoicePaymentReport_flowId_key" ON "EInvoicePaymentReport"("flowId");

-- CreateIndex
CREATE INDEX "EInvoicePaymentReport_documentId_idx" ON "EInvoicePaymentReport"("documentId");

-- AddForeignKey
ALTER TABLE "EInvoiceTransmission" ADD CONSTRAINT "EInvoiceTransmission_documentId_fkey" FOREIGN KEY ("documentId") REFERENCES "InvoiceDocument"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EInvoiceStatusEvent" ADD CONSTRAINT "EInvoiceStatusEvent_documentId_fkey" FOREIGN KEY ("documentId") REFERENCES "EInvoiceTransmission"("documentId") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EInvoicePaymentReport" ADD CONSTRAINT "EInvoicePaymentReport_paymentId_fkey" FOREIGN KEY ("paymentId") REFERENCES "Payment"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
