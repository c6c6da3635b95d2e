// Sign-in throttling: failures counted per account and per IP address over a window.
export const THROTTLE_WINDOW_MS = 15 * 60 * 1000;
export const MAX_FAILURES_PER_ACCOUNT = 5;
export const MAX_FAILURES_PER_IP = 30;

export const accountKey = (email: string) => `email:${email.trim().toLowerCase()}`;
export const ipKey = (ip: string) => `ip:${ip}`;

export type ThrottleVerdict = { allowed: true } | { allowed: false; message: string };

export function throttleVerdict(accountFailures: number, ipFailures: number): ThrottleVerdict {
  if (accountFailures >= MAX_FAILURES_PER_ACCOUNT) {
    return {
      allowed: false,
      message:
        "Trop de tentatives pour ce compte. Patientez 15 minutes ou réinitialisez votre mot de passe avec « Mot de passe oublié ».",
    };
  }
  if (ipFailures >= MAX_FAILURES_PER_IP) {
    return { allowed: false, message: "Trop de tentatives depuis cette connexion. Patientez 15 minutes." };
  }
  return { allowed: true };
}
