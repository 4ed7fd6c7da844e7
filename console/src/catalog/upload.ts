/** Audio straight from the browser to R2: ask the API for a presigned PUT, send the bytes, confirm. */
import { api, ApiError, unwrap } from "../api/client";
import { send } from "../api/send";

export type Quality = "low" | "normal" | "high";

const CODECS: Record<string, string> = {
  "audio/mpeg": "mp3",
  "audio/mp4": "aac",
  "audio/aac": "aac",
  "audio/ogg": "vorbis",
  "audio/opus": "opus",
  "audio/flac": "flac",
  "audio/wav": "pcm",
  "audio/x-wav": "pcm",
};

const BITRATES: Record<Quality, number> = { low: 96, normal: 160, high: 320 };

/** PUT straight to R2; rejects on any answer but 2xx. */
export async function put(url: string, headers: Record<string, string>, file: File, onProgress: (fraction: number) => void) {
  const sent = await send("PUT", url, headers, file, onProgress);
  if (sent.status < 200 || sent.status >= 300) {
    throw new ApiError(`The storage refused the file (${sent.status}): try again.`, sent.status);
  }
}

export async function uploadRendition(
  songId: string,
  quality: Quality,
  file: File,
  onProgress: (fraction: number) => void,
): Promise<void> {
  const contentType = file.type || "audio/mpeg";
  const ticket = unwrap(
    await api().POST("/admin/songs/{song_id}/uploads", {
      params: { path: { song_id: songId } },
      body: { quality, content_type: contentType, size_bytes: file.size },
    }),
  );
  await put(ticket.url, ticket.headers as Record<string, string>, file, onProgress);
  unwrap(
    await api().PUT("/admin/songs/{song_id}/renditions/{quality}", {
      params: { path: { song_id: songId, quality } },
      body: { object_key: ticket.object_key, codec: CODECS[contentType] ?? contentType.slice(6), bitrate_kbps: BITRATES[quality] },
    }),
  );
}

/** An ad's audio: one file per ad, same presigned PUT, then the API records its key. */
export async function uploadAdAudio(adId: string, file: File, onProgress: (fraction: number) => void): Promise<void> {
  const ticket = unwrap(
    await api().POST("/admin/ads/{ad_id}/uploads", {
      params: { path: { ad_id: adId } },
      body: { content_type: file.type || "audio/mpeg", size_bytes: file.size },
    }),
  );
  await put(ticket.url, ticket.headers as Record<string, string>, file, onProgress);
  unwrap(await api().PUT("/admin/ads/{ad_id}/audio", { params: { path: { ad_id: adId } }, body: { object_key: ticket.object_key } }));
}
