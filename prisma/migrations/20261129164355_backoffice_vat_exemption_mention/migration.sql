-- AlterTable
ALTER TABLE "Prestation" ADD COLUMN     "vatExemptionMention" TEXT;
