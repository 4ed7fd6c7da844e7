/** Audio straight from the browser to R2: ask the API for a presigned PUT, send the bytes, confirm. */
import { api, ApiError, unwrap } from "../api/client";

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

/** PUT with progress (fetch cannot report upload progress); rejects on any answer but 2xx. */
function put(url: string, headers: Record<string, string>, file: File, onProgress: (fraction: number) => void) {
  return new Promise<void>((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("PUT", url);
    for (const [name, value] of Object.entries(headers)) {
      if (name.toLowerCase() !== "content-length") request.setRequestHeader(name, value); // the browser sets it
    }
    request.upload.onprogress = (event) => event.lengthComputable && onProgress(event.loaded / event.total);
    request.onload = () =>
      request.status >= 200 && request.status < 300
        ? resolve()
        : reject(new ApiError(`The storage refused the file (${request.status}): try again.`, request.status));
    request.onerror = () => reject(new ApiError("The upload was interrupted: check the connection and retry.", 0));
    request.send(file);
  });
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
