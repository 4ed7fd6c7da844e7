import { useState, type ReactNode } from "react";
import { Button, useNotify, useRefresh } from "react-admin";
import { Box, LinearProgress, Typography } from "@mui/material";
import { Row } from "../Row";
import { message } from "../errors";

type Send = (file: File, onProgress: (fraction: number) => void) => Promise<void>;

/** Pick a file, send it with a progress bar; after a failure the same file is retried with one click. */
export const FileUpload = (props: { title: string; accept: string; fileLabel: string; send: Send; sent: string; children?: ReactNode }) => {
  const notify = useNotify();
  const refresh = useRefresh();
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const [picker, setPicker] = useState(0); // a new key empties the file input after an upload
  const go = async () => {
    if (!file) return;
    setFailed(null);
    setProgress(0);
    try {
      await props.send(file, setProgress);
      notify(props.sent, { type: "success" });
      setFile(null);
      setPicker((n) => n + 1);
      refresh();
    } catch (error) {
      setFailed(message(error));
    } finally {
      setProgress(null);
    }
  };
  return (
    <Box sx={{ maxWidth: 640 }}>
      <Typography variant="subtitle2">{props.title}</Typography>
      <Row>
        {props.children}
        <input key={picker} type="file" accept={props.accept} aria-label={props.fileLabel} onChange={(event) => setFile(event.target.files?.[0] ?? null)} />
        <Button label={failed ? "Retry upload" : "Upload"} onClick={go} disabled={!file || progress !== null} variant="contained" />
      </Row>
      {progress !== null && <LinearProgress variant="determinate" value={progress * 100} aria-label="Upload progress" />}
      {failed && <Typography color="error">{failed}</Typography>}
    </Box>
  );
};
