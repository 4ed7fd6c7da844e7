/** Tokens for this tab only (sessionStorage): closing the tab signs out. */
interface Tokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

const KEY = "sauti.console.session";

interface Stored {
  access: string;
  refresh: string;
}

function read(): Stored | null {
  const raw = sessionStorage.getItem(KEY);
  return raw ? (JSON.parse(raw) as Stored) : null;
}

export const session = {
  store(tokens: Tokens): void {
    sessionStorage.setItem(KEY, JSON.stringify({ access: tokens.access_token, refresh: tokens.refresh_token }));
  },
  accessToken: (): string | null => read()?.access ?? null,
  refreshToken: (): string | null => read()?.refresh ?? null,
  clear(): void {
    sessionStorage.removeItem(KEY);
  },
};
