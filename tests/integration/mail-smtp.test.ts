import { existsSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterAll, describe, expect, it } from "vitest";
import { createOrganisation, createServiceRequest, createSite, createUser } from "../support/factories.ts";

// The mail the app sends, through real SMTP: a local server started here
// receives what the mail worker sends with the app's own transport.
const received: ParsedMail[] = [];
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS"],
  logger: false,
  onData(stream, _session, callback) {
    simpleParser(stream).then((mail) => {
      received.push(mail);
      callback();
    }, callback);
  },
});
const port = await new Promise<number>((resolve) => {
  const probe = createServer().listen(0, "127.0.0.1", () => {
    const { port } = probe.address() as { port: number };
    probe.close(() => resolve(port));
  });
});
await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
Object.assign(process.env, { MAIL_TRANSPORT: "smtp", SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: "La Conciergerie Solidaire <conciergerie@conciergerie.example>" });

const { db } = await import("~/data/db.server.ts");
const { deliverNotification, queueNotification, queueNotifications } = await import("~/data/notifications.server.ts");
const { mailTransport } = await import("~/integrations/mail.server.ts");
const { sendMail } = await import("../../workers/processors/mail.ts");
const { env } = await import("~/utils/env.server.ts");

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("mail through SMTP", () => {
  it("delivers a digest in French, with its headers and a link to a page of the app", async () => {
    const org = await createOrganisation(db(), { name: "Chocolaterie SMTP" });
    const user = await createUser(db(), { organisationId: org.id, role: "PARTNER_ADMIN" });
    const site = await createSite(db(), { organisationId: org.id, name: "Atelier Bercy" });
    const serviceRequest = await createServiceRequest(db(), {
      organisationId: org.id,
      siteId: site.id,
      interventions: [1, 2].map((d) => ({ startsAt: new Date(`2030-09-0${d + 1}T07:00:00Z`), durationMinutes: 90, status: "SCHEDULED" as const })),
    });
    await db().$transaction(async (tx) => {
      await queueNotification(tx, "request.received", { requestId: serviceRequest.id }, "submitted");
      await queueNotifications(
        tx,
        serviceRequest.interventions.map((i) => ({ kind: "intervention.scheduled" as const, subject: { interventionId: i.id }, version: "v1" })),
      );
    });
    const [notification] = await db().notification.findMany({ where: { groupKey: `partner:request:${serviceRequest.id}` }, take: 1 });
    await deliverNotification(notification!.payload as Parameters<typeof deliverNotification>[0], new Date(Date.now() + 3 * 60_000));
    const [stored] = await db().mail.findMany({ where: { to: user.email } });

    // What the mail worker does with the queued job: send through SMTP, once.
    const transport = mailTransport();
    expect(await sendMail({ mailId: stored!.id }, transport)).toEqual({ skipped: false });
    expect(await sendMail({ mailId: stored!.id }, transport)).toEqual({ skipped: true });
    expect(received).toHaveLength(1);
    const mail = received[0]!;
    expect(mail.from?.value).toEqual([{ name: "La Conciergerie Solidaire", address: "conciergerie@conciergerie.example" }]);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : "").toBe(user.email);
    expect(mail.subject).toBe(`${serviceRequest.reference} : 3 nouvelles`);
    expect(mail.headers.get("content-type")).toMatchObject({ value: "multipart/alternative" });
    expect(mail.text).toContain("Du nouveau sur la demande");
    expect(mail.text).toContain("• Intervention planifiée le 2 septembre 2030 à 09:00.");
    // The link leads to the request's page: a route of the app, for this request.
    const links = [...(mail.html || "").matchAll(/href="([^"]+)"/g)].map((m) => m[1]!);
    expect(links).toEqual([`${env().APP_URL}/requests/${serviceRequest.id}`]);
    expect(existsSync(path.resolve(import.meta.dirname, "../../app/routes/requests.$id.tsx"))).toBe(true);
    expect(await db().mail.findUniqueOrThrow({ where: { id: stored!.id } })).toMatchObject({ sentAt: expect.any(Date) });
  });
});
