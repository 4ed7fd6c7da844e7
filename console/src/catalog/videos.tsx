import { useEffect, useState } from "react";
import {
  Button,
  ChipField,
  Create,
  Datagrid,
  DateField,
  List,
  NumberField,
  Show,
  SimpleForm,
  SimpleShowLayout,
  TextField,
  TextInput,
  TopToolbar,
  required,
  useNotify,
  usePermissions,
  useRecordContext,
  useRefresh,
} from "react-admin";
import { useLocation } from "react-router-dom";
import { Box, LinearProgress, Typography } from "@mui/material";
import { Row } from "../Row";
import { api, unwrap, type Schemas } from "../api/client";
import { message } from "../errors";
import { can } from "../roles";
import { ModerationButtons } from "../moderation/actions";
import { ticketFor, uploadVideo } from "./streamUpload";
import { CursorPagination } from "../Paging";

type Video = Schemas["AdminVideo"];

export const VideoList = () => (
  <List pagination={<CursorPagination />} perPage={25} title="Videos (published)">
    <Datagrid rowClick="show" bulkActionButtons={false}>
      <TextField source="title" />
      <TextField source="artist.name" label="Artist" />
      <NumberField source="duration_ms" label="Duration (ms)" />
      <DateField source="published_at" />
    </Datagrid>
  </List>
);

export const VideoCreate = () => {
  const artistId = new URLSearchParams(useLocation().search).get("artist_id") ?? "";
  return (
    <Create redirect="show">
      <SimpleForm defaultValues={{ artist_id: artistId }}>
        <TextInput source="artist_id" label="Artist id" validate={required()} />
        <TextInput source="title" validate={required()} />
        <TextInput source="song_id" label="Song id (optional: the song this is the video of)" />
      </SimpleForm>
    </Create>
  );
};

/** What Stream is doing with the video, in words. */
const Processing = () => {
  const video = useRecordContext<Video>();
  if (!video) return null;
  if (video.ready) return <Typography role="status">Ready: Stream has encoded it ({Math.round((video.duration_ms ?? 0) / 1000)} s).</Typography>;
  return <Typography role="status">Processing: waiting for the upload, then for Stream to encode it.</Typography>;
};

const Upload = () => {
  const video = useRecordContext<Video>();
  const notify = useNotify();
  const refresh = useRefresh();
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const [sent, setSent] = useState(false);
  // Stream's webhook marks it ready: look again every few seconds until then.
  useEffect(() => {
    if (!sent || video?.ready) return;
    const timer = window.setInterval(refresh, 3000);
    return () => window.clearInterval(timer);
  }, [sent, video?.ready, refresh]);
  if (!video || video.ready) return null;
  if (!sent && !ticketFor(String(video.id))) {
    return <Typography variant="body2">The upload link is given once, when the video is created: create it again to upload.</Typography>;
  }
  const go = async () => {
    if (!file) return;
    setFailed(null);
    setProgress(0);
    try {
      await uploadVideo(String(video.id), file, setProgress);
      setSent(true);
      notify("The video is uploaded: Stream is processing it.", { type: "success" });
      refresh();
    } catch (error) {
      setFailed(message(error));
    } finally {
      setProgress(null);
    }
  };
  if (sent) return null;
  return (
    <Box sx={{ maxWidth: 640 }}>
      <Typography variant="subtitle2">Upload the video to Stream</Typography>
      <Row>
        <input type="file" accept="video/*" aria-label="Video file" onChange={(event) => setFile(event.target.files?.[0] ?? null)} />
        <Button label={failed ? "Retry upload" : "Upload"} onClick={go} disabled={!file || progress !== null} variant="contained" />
      </Row>
      {progress !== null && <LinearProgress variant="determinate" value={progress * 100} aria-label="Upload progress" />}
      {failed && <Typography color="error">{failed}</Typography>}
    </Box>
  );
};

const PublishButton = () => {
  const video = useRecordContext<Video>();
  const notify = useNotify();
  const refresh = useRefresh();
  if (!video || video.status !== "draft") return null;
  const publish = async () => {
    try {
      unwrap(await api().POST("/admin/videos/{video_id}/publish", { params: { path: { video_id: String(video.id) } } }));
      notify(`${video.title} is published.`, { type: "success" });
      refresh();
    } catch (error) {
      notify(message(error), { type: "error" });
    }
  };
  return <Button label="Publish" onClick={publish} variant="contained" />;
};

const VideoActions = () => {
  const { permissions = [] } = usePermissions<string[]>();
  return (
    <TopToolbar>
      {can.catalog(permissions) && <PublishButton />}
      {can.moderate(permissions) && <ModerationButtons targetType="videos" />}
    </TopToolbar>
  );
};

export const VideoShow = () => {
  const { permissions = [] } = usePermissions<string[]>();
  return (
    <Show actions={<VideoActions />}>
      <SimpleShowLayout>
        <TextField source="title" />
        <ChipField source="status" />
        <Processing />
        <TextField source="artist_id" label="Artist id" />
        <TextField source="song_id" label="Song id" emptyText="—" />
        <TextField source="stream_uid" label="Stream uid" />
        <DateField source="published_at" showTime emptyText="Not published" />
        {can.catalog(permissions) && <Upload />}
      </SimpleShowLayout>
    </Show>
  );
};
