import { useEffect, useState } from "react";
import {
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
  usePermissions,
  useRecordContext,
  useRefresh,
} from "react-admin";
import { useLocation } from "react-router-dom";
import { Typography } from "@mui/material";
import { api, unwrap, type Schemas } from "../api/client";
import { can } from "../roles";
import { ModerationButtons } from "../moderation/actions";
import { ticketFor, uploadVideo } from "./streamUpload";
import { FileUpload } from "./FileUpload";
import { PublishButton } from "./PublishButton";
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
  const refresh = useRefresh();
  const [sent, setSent] = useState(false);
  // Stream's webhook marks it ready: look again every few seconds until then.
  useEffect(() => {
    if (!sent || video?.ready) return;
    const timer = window.setInterval(refresh, 3000);
    return () => window.clearInterval(timer);
  }, [sent, video?.ready, refresh]);
  if (!video || video.ready || sent) return null;
  if (!ticketFor(String(video.id))) {
    return <Typography variant="body2">The upload link is given once, when the video is created: create it again to upload.</Typography>;
  }
  const send = async (file: File, onProgress: (fraction: number) => void) => {
    await uploadVideo(String(video.id), file, onProgress);
    setSent(true);
  };
  return <FileUpload title="Upload the video to Stream" accept="video/*" fileLabel="Video file" sent="The video is uploaded: Stream is processing it." send={send} />;
};

const publishVideo = async (id: string) =>
  unwrap(await api().POST("/admin/videos/{video_id}/publish", { params: { path: { video_id: id } } }));

const VideoActions = () => {
  const { permissions = [] } = usePermissions<string[]>();
  return (
    <TopToolbar>
      {can.catalog(permissions) && <PublishButton publish={publishVideo} />}
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
