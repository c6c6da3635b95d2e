import { createContext, useContext } from "react";

// The per-request CSP nonce, given by the server to the inline scripts Remix renders.
export const NonceContext = createContext<string | undefined>(undefined);
export const useNonce = () => useContext(NonceContext);
