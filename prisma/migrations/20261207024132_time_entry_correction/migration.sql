-- AlterTable
ALTER TABLE "TimeEntry" ADD COLUMN     "correctionReason" TEXT;
