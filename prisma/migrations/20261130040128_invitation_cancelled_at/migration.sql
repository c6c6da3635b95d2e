-- AlterTable
ALTER TABLE "Invitation" ADD COLUMN     "cancelledAt" TIMESTAMP(3);
