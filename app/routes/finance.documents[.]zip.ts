import type { LoaderFunctionArgs } from "@remix-run/node";
import { Zip, ZipPassThrough } from "fflate";
import { actorOf, requireCapability } from "~/auth/auth.server.ts";
import { auditMonthExport, monthDocuments } from "~/data/einvoicing.server.ts";
import { toCsv } from "~/utils/csv.ts";
import { monthField } from "~/utils/validation.ts";

// A month's Factur-X documents (by date of issue) as one ZIP, for the accredited
// platform, with a manifest (CSV: number, type, partner, SIREN, total, SHA-256);
// the partner's name and SIREN are those the document was issued with.
// Streamed page by page: the PDFs are stored as they are (already compressed).
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireCapability(request, "finance.view");
  const asked = monthField("Choisissez un mois (AAAA-MM).", "search").safeParse(new URL(request.url).searchParams.get("month") ?? "");
  if (!asked.success) return new Response(asked.error.issues[0]!.message, { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  const month = asked.data;
  const actor = actorOf(user);
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const zip = new Zip((error, chunk, final) => {
        if (error) return controller.error(error);
        controller.enqueue(chunk);
        if (final) controller.close();
      });
      const manifest: string[][] = [];
      let count = 0;
      try {
        for await (const page of monthDocuments(month)) {
          for (const doc of page) {
            const entry = new ZipPassThrough(`${doc.number}.pdf`);
            zip.add(entry);
            entry.push(new Uint8Array(doc.bytes), true);
            const cells = [
              doc.number,
              doc.kind === "CREDIT_NOTE" ? "381" : "380",
              doc.buyerName,
              doc.buyerSiren,
              doc.issueDate.toISOString().slice(0, 10),
              (doc.totalInclVatCents / 100).toFixed(2),
              doc.sha256,
              doc.transmissionStatus,
            ];
            manifest.push(cells);
            count++;
          }
        }
        const list = new ZipPassThrough("manifeste.csv");
        zip.add(list);
        list.push(encoder.encode(toCsv(["numero", "type", "partenaire", "siren", "date_emission", "total_ttc", "sha256", "transmission"], manifest)), true);
        zip.end();
        await auditMonthExport(actor, month, count);
      } catch (error) {
        controller.error(error);
      }
    },
  });
  return new Response(stream, {
    headers: {
      "Content-Type": "application/zip",
      "Content-Disposition": `attachment; filename="factur-x-${month}.zip"`,
      "Cache-Control": "private, no-store",
    },
  });
}
