/** The one way the console talks to the API: typed by the generated schema, signed in, problems as sentences. */
import createClient from "openapi-fetch";
import type { components, paths } from "./schema";
import { session } from "./session";

export type Schemas = components["schemas"];

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
    readonly body?: Record<string, unknown>, // the problem's other members (e.g. an import's refused lines)
  ) {
    super(message);
  }
}

interface Problem {
  title?: string;
  detail?: string;
  code?: string;
}

/** What a person reads instead of problem+json. */
export function sentence(status: number, problem: Problem | undefined): string {
  const text = problem?.detail || problem?.title;
  if (text) return text.endsWith(".") ? text : `${text}.`;
  if (status === 0) return "The API cannot be reached: check your connection and try again.";
  if (status === 401) return "Your session has ended: please sign in again.";
  if (status === 403) return "Your role does not allow this.";
  if (status === 404) return "This was not found: it may have been removed.";
  if (status >= 500) return "The service is unavailable at the moment: try again shortly.";
  return `The request was refused (${status}).`;
}

export interface Config {
  apiBase: string;
}

let config: Config = { apiBase: "" };

/** config.json sits beside index.html: each deployment names its API there, the build stays the same. */
export async function loadConfig(): Promise<Config> {
  const response = await fetch("./config.json", { cache: "no-store" });
  config = (await response.json()) as Config;
  config.apiBase = config.apiBase.replace(/\/$/, "");
  return config;
}

export function apiBase(): string {
  return config.apiBase;
}

/** A new access token from the refresh token; false (and signed out) when the API refuses it. */
export async function refreshed(): Promise<boolean> {
  const refreshToken = session.refreshToken();
  if (!refreshToken) return false;
  const response = await fetch(`${apiBase()}/auth/refresh`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ refresh_token: refreshToken }),
  });
  if (!response.ok) {
    session.clear();
    return false;
  }
  session.store((await response.json()) as Schemas["Tokens"]);
  return true;
}

/** Bearer token on every call; one refresh and retry when the access token has run out. */
async function signedFetch(request: Request): Promise<Response> {
  const retry = request.clone();
  const withToken = (req: Request) => {
    const token = session.accessToken();
    if (token) req.headers.set("authorization", `Bearer ${token}`);
    return req;
  };
  const response = await fetch(withToken(request));
  if (response.status !== 401 || request.url.endsWith("/auth/login")) return response;
  return (await refreshed()) ? fetch(withToken(retry)) : response;
}

export function api() {
  return createClient<paths>({ baseUrl: apiBase(), fetch: signedFetch });
}

/** The answer's data, or an ApiError whose message is a sentence. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) {
    const problem = (result.error ?? {}) as Problem;
    throw new ApiError(sentence(result.response.status, problem), result.response.status, problem.code, problem as Record<string, unknown>);
  }
  return result.data as T;
}
