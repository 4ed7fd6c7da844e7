/** Video straight from the browser to Cloudflare Stream: the direct creator upload URL the API got on create. */
import { ApiError, type Schemas } from "../api/client";
import { send } from "../api/send";

type Ticket = Schemas["StreamUpload"];

/** The one-time upload URL of each video created in this tab (the API hands it out once, at creation). */
const tickets = new Map<string, Ticket>();

export function keepTicket(videoId: string, ticket: Ticket): void {
  tickets.set(videoId, ticket);
}

export function ticketFor(videoId: string): Ticket | null {
  const ticket = tickets.get(videoId);
  return ticket && Date.parse(ticket.expires_at) > Date.now() ? ticket : null;
}

/** Stream's basic upload: a multipart POST with the file as `file`; the URL takes retries until one succeeds. */
export async function uploadVideo(videoId: string, file: File, onProgress: (fraction: number) => void): Promise<void> {
  const ticket = ticketFor(videoId);
  if (!ticket) throw new ApiError("This video's upload link has expired or was given in another tab: create the video again.", 0);
  const form = new FormData();
  form.append("file", file, file.name);
  const sent = await send("POST", ticket.url, {}, form, onProgress);
  if (sent.status < 200 || sent.status >= 300) {
    throw new ApiError(`Stream refused the file (${sent.status}): try again.`, sent.status);
  }
  tickets.delete(videoId);
}
