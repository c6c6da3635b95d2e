-- DropIndex
DROP INDEX "ServiceRequest_organisationId_createdAt_idx";

-- CreateIndex
CREATE INDEX "ServiceRequest_organisationId_createdAt_id_idx" ON "ServiceRequest"("organisationId", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "ServiceRequest_createdAt_id_idx" ON "ServiceRequest"("createdAt" DESC, "id" DESC);
