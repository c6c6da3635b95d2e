-- AlterTable
ALTER TABLE "Supervisor" ADD COLUMN     "calendarTokenHash" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "Supervisor_calendarTokenHash_key" ON "Supervisor"("calendarTokenHash");
