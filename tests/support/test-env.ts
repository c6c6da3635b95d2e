// Environment every test process shares (the URLs of the test services come from scripts/test.sh).
export function applyTestEnv(overrides: Record<string, string> = {}) {
  Object.assign(process.env, {
    NODE_ENV: "test",
    SESSION_SECRET: "test-session-secret-that-is-long-enough-0123456789",
    MAIL_TRANSPORT: "mailbox",
    APP_URL: "http://localhost:3000",
    ...overrides,
  });
}
