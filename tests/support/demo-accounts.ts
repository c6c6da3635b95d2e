/** The demo's sign-ins, one per kind of user (prisma/seed.ts; the password is in README.md), for the HTTP tests. */
export const DEMO_ACCOUNTS = {
  anonymous: null,
  sncfMember: "agent@sncf.example",
  sncfAdmin: "gare-de-lyon@sncf.example",
  otherPartner: "contact@monjardinchocolate.example",
  coordinator: "coordination@conciergerie.example",
  encadrant: "encadrant@conciergerie.example",
  finance: "finance@conciergerie.example",
  admin: "admin@conciergerie.example",
} as const;
export type DemoAccount = keyof typeof DEMO_ACCOUNTS;
