// Request size limits, shared by the web server (server.ts refuses a body
// announced too big before reading it) and the app (readBodyLimited stops one
// that turns out too big while it is read). No page takes a file: 1 MB is far
// above any form, and refuses a 20 MB upload at once.
export const MAX_BODY_BYTES = 1024 * 1024;

export const BODY_TOO_LARGE_MESSAGE = "Ce formulaire est trop volumineux (1 Mo au plus). Raccourcissez le texte ou retirez les pièces jointes, puis recommencez.";
