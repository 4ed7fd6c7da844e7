import { useState } from "react";
import { Button, Title } from "react-admin";
import { Link } from "react-router-dom";
import { Box, Card, CardContent, LinearProgress, Table, TableBody, TableCell, TableHead, TableRow, Typography } from "@mui/material";
import type { paths } from "../api/schema";
import { ApiError } from "../api/client";
import { accepted, sendToApi } from "../api/send";
import { message } from "../errors";
import { Row } from "../Row";

const IMPORTS = "/admin/catalog/imports" satisfies keyof paths;
type Result = paths[typeof IMPORTS]["post"]["responses"]["200"]["content"]["application/json"];
interface Refused {
  line: number;
  detail: string;
}
const MAX_BYTES = 5 * 1024 * 1024; // the API's limit (413 import_too_large)

/** Why the API refused the file: every refused line with its number and reason, or one sentence. */
function refusals(error: unknown): { sentence: string; lines: Refused[]; count: number } {
  const body = error instanceof ApiError ? error.body : undefined;
  const lines = Array.isArray(body?.errors) ? (body.errors as Refused[]) : [];
  return { sentence: message(error), lines, count: typeof body?.refused === "number" ? body.refused : lines.length };
}

const counted = (n: number | undefined, word: string) => `${n ?? 0} ${word}${n === 1 ? "" : "s"}`;

const LINK: Record<string, (id: string) => string> = {
  artist: (id) => `/artists/${id}/show`,
  song: (id) => `/songs/${id}/show`,
  album: (id) => `/albums/${id}/show`,
};

/** A JSON Lines catalog (docs/admin.md): sent whole, imported all or nothing. */
export const CatalogImport = () => {
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [result, setResult] = useState<Result | null>(null);
  const [refused, setRefused] = useState<ReturnType<typeof refusals> | null>(null);
  const run = async () => {
    if (!file) return;
    setResult(null);
    setRefused(null);
    if (file.size > MAX_BYTES) {
      setRefused({ sentence: "The file is over 5 MB: split it and import each part.", lines: [], count: 0 });
      return;
    }
    setProgress(0);
    try {
      const sent = await sendToApi("POST", IMPORTS, { "content-type": "application/x-ndjson" }, file, setProgress);
      setResult(accepted<Result>(sent));
    } catch (error) {
      setRefused(refusals(error));
    } finally {
      setProgress(null);
    }
  };
  return (
    <Card>
      <Title title="Import a catalog" />
      <CardContent>
        <Typography gutterBottom>
          One JSON object a line: artists, albums and songs with your own refs. Nothing is imported if a line is refused;
          importing again with the same refs updates them.
        </Typography>
        <Row>
          <input type="file" accept=".jsonl,.ndjson,application/x-ndjson,text/plain" aria-label="JSON Lines file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
          <Button label={refused ? "Import again" : "Import"} onClick={run} disabled={!file || progress !== null} variant="contained" />
        </Row>
        {progress !== null && (
          <Box>
            <LinearProgress variant={progress < 1 ? "determinate" : "indeterminate"} value={progress * 100} aria-label="Import progress" />
            <Typography variant="body2">{progress < 1 ? `Sending ${Math.round(progress * 100)}%` : "Checking and importing…"}</Typography>
          </Box>
        )}
        {refused && (
          <Box role="alert" sx={{ mt: 2 }}>
            <Typography color="error">
              {refused.lines.length ? `Nothing was imported: ${refused.count} ${refused.count === 1 ? "line was" : "lines were"} refused.` : refused.sentence}
            </Typography>
            {refused.lines.length > 0 && (
              <Table size="small" aria-label="Refused lines">
                <TableHead>
                  <TableRow>
                    <TableCell>Line</TableCell>
                    <TableCell>Reason</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {refused.lines.map((line) => (
                    <TableRow key={`${line.line}-${line.detail}`}>
                      <TableCell>{line.line}</TableCell>
                      <TableCell>{line.detail}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            )}
            {refused.count > refused.lines.length && <Typography variant="body2">The first {refused.lines.length} are listed; fix them and import again to see the rest.</Typography>}
          </Box>
        )}
        {result && (
          <Box sx={{ mt: 2 }}>
            <Typography role="status">
              Imported {counted(result.imported.artist, "artist")}, {counted(result.imported.album, "album")} and {counted(result.imported.song, "song")}.
            </Typography>
            <Table size="small" aria-label="Refs created">
              <TableHead>
                <TableRow>
                  <TableCell>Type</TableCell>
                  <TableCell>Ref</TableCell>
                  <TableCell>Id</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {result.ids.map((item) => {
                  const to = LINK[item.type]?.(item.id);
                  return (
                    <TableRow key={`${item.type}-${item.ref}`}>
                      <TableCell>{item.type}</TableCell>
                      <TableCell>{item.ref}</TableCell>
                      <TableCell>{to ? <Link to={to}>{item.id}</Link> : item.id}</TableCell>
                    </TableRow>
                  );
                })}
              </TableBody>
            </Table>
          </Box>
        )}
      </CardContent>
    </Card>
  );
};
