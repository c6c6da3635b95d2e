import { describe, expect, it } from "vitest";
import { buildLifecycleMessage, parseLifecycleMessage } from "./cdar.ts";
import { currentLifecycle, needsAction, transmissionSummary, whatToDo } from "./lifecycle.ts";

const at = (s: number) => new Date(Date.UTC(2026, 11, 1, 10, 0, s));

describe("the current lifecycle status", () => {
  it("follows the lifecycle's order, not the order of arrival", () => {
    const arrived = [
      { kind: "lifecycle", code: "205", occurredAt: at(3) },
      { kind: "ack", code: "Ok", occurredAt: at(1) },
      { kind: "lifecycle", code: "200", occurredAt: at(2) }, // late
    ];
    expect(currentLifecycle(arrived)).toBe("205");
    expect(currentLifecycle([...arrived, { kind: "lifecycle", code: "212", occurredAt: at(4) }])).toBe("212");
    // A rejection or a refusal is final whatever comes after.
    expect(currentLifecycle([...arrived, { kind: "lifecycle", code: "213", occurredAt: at(0) }])).toBe("213");
    expect(currentLifecycle([{ kind: "ack", code: "Pending", occurredAt: at(0) }])).toBeNull();
  });

  it("says in French what needs finance's action and what to do", () => {
    expect(needsAction({ state: "submitted", ackStatus: "Ok", lifecycleCode: "205" })).toBe(false);
    expect(needsAction({ state: "submitted", ackStatus: "Ok", lifecycleCode: "207" })).toBe(true);
    expect(transmissionSummary({ state: "directory_missing", ackStatus: null, lifecycleCode: null })).toMatch(/annuaire/);
    expect(whatToDo({ state: "submitted", ackStatus: "Ok", lifecycleCode: "210" })).toMatch(/avoir/);
  });
});

describe("lifecycle messages (CDAR)", () => {
  it("writes Encaissée with its amount and reads it back", () => {
    const xml = buildLifecycleMessage({
      id: "F2026-00001-212-abc",
      invoiceNumber: "F2026-00001",
      invoiceIssueDate: "2026-12-01",
      invoiceTypeCode: "380",
      statusCode: "212",
      statusLabel: "Encaissée",
      occurredAt: at(7),
      senderSiren: "775663438",
      recipientSiren: "908712342",
      amountCents: 270960,
      reason: "Paiement <reçu> & rapproché",
    });
    expect(parseLifecycleMessage(xml)).toEqual({ invoiceNumber: "F2026-00001", statusCode: "212", occurredAt: at(7), reasonCode: null, reason: "Paiement <reçu> & rapproché", amountCents: 270960 });
    expect(parseLifecycleMessage("<not-cdar/>")).toBeNull();
  });
});
