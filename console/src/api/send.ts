/** A body sent with upload progress (fetch cannot report it): straight to storage, or to the API signed in. */
import { ApiError, apiBase, refreshed, sentence } from "./client";
import { session } from "./session";

export interface Sent {
  status: number;
  body: unknown;
}

export function send(
  method: string,
  url: string,
  headers: Record<string, string>,
  body: Blob | FormData,
  onProgress: (fraction: number) => void,
): Promise<Sent> {
  return new Promise<Sent>((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open(method, url);
    for (const [name, value] of Object.entries(headers)) {
      if (name.toLowerCase() !== "content-length") request.setRequestHeader(name, value); // the browser sets it
    }
    request.upload.onprogress = (event) => event.lengthComputable && onProgress(event.loaded / event.total);
    request.onload = () => {
      let parsed: unknown = null;
      try {
        parsed = request.responseText ? JSON.parse(request.responseText) : null;
      } catch {
        parsed = null;
      }
      resolve({ status: request.status, body: parsed });
    };
    request.onerror = () => reject(new ApiError("The upload was interrupted: check the connection and retry.", 0));
    request.send(body);
  });
}

/** To the API with the session's token, refreshed once on 401 like every other call. */
export async function sendToApi(
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Blob,
  onProgress: (fraction: number) => void,
): Promise<Sent> {
  const signed = () => ({ ...headers, authorization: `Bearer ${session.accessToken() ?? ""}` });
  const first = await send(method, `${apiBase()}${path}`, signed(), body, onProgress);
  if (first.status !== 401 || !(await refreshed())) return first;
  return send(method, `${apiBase()}${path}`, signed(), body, onProgress);
}

/** The answer's body when 2xx, else an ApiError whose message is the API's sentence. */
export function accepted<T>(sent: Sent): T {
  if (sent.status >= 200 && sent.status < 300) return sent.body as T;
  const problem = (sent.body ?? {}) as { detail?: string; title?: string; code?: string };
  throw new ApiError(sentence(sent.status, problem), sent.status, problem.code, problem as Record<string, unknown>);
}
