import { useState } from "react";
import {
  ArrayField,
  BooleanField,
  BooleanInput,
  Button,
  ChipField,
  Create,
  Datagrid,
  DateField,
  Edit,
  EditButton,
  List,
  NumberField,
  NumberInput,
  SearchInput,
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
import { Box, LinearProgress, MenuItem, TextField as Input, Typography } from "@mui/material";
import { Row } from "../Row";
import { api, unwrap } from "../api/client";
import { message } from "../errors";
import { can } from "../roles";
import { ModerationButtons } from "../moderation/actions";
import { uploadRendition, type Quality } from "./upload";
import { CursorPagination } from "../Paging";

export const SongList = () => (
  <List pagination={<CursorPagination />} filters={[<SearchInput source="q" alwaysOn key="q" placeholder="Search songs" />]} perPage={25}>
    <Datagrid rowClick="show" bulkActionButtons={false}>
      <TextField source="title" />
      <TextField source="artist.name" label="Artist" />
      <NumberField source="duration_ms" label="Duration (ms)" />
    </Datagrid>
  </List>
);

export const SongCreate = () => {
  const query = new URLSearchParams(useLocation().search);
  return (
    <Create redirect="show">
      <SimpleForm defaultValues={{ artist_id: query.get("artist_id") ?? "", album_id: query.get("album_id") ?? "", explicit: false }}>
        <TextInput source="artist_id" label="Artist id" validate={required()} />
        <TextInput source="album_id" label="Album id (empty: a single)" />
        <TextInput source="title" validate={required()} />
        <NumberInput source="duration_seconds" label="Duration (seconds)" validate={required()} min={1} />
        <TextInput source="isrc" label="ISRC" />
        <BooleanInput source="explicit" />
      </SimpleForm>
    </Create>
  );
};

export const SongEdit = () => (
  <Edit redirect="show" mutationMode="pessimistic">
    <SimpleForm>
      <TextInput source="title" validate={required()} />
      <TextInput source="isrc" label="ISRC" />
      <BooleanInput source="explicit" />
    </SimpleForm>
  </Edit>
);

const Upload = () => {
  const record = useRecordContext();
  const notify = useNotify();
  const refresh = useRefresh();
  const [quality, setQuality] = useState<Quality>("normal");
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const [picker, setPicker] = useState(0); // a new key empties the file input after an upload
  if (!record) return null;
  const send = async () => {
    if (!file) return;
    setFailed(null);
    setProgress(0);
    try {
      await uploadRendition(String(record.id), quality, file, setProgress);
      notify(`The ${quality} rendition is stored.`, { type: "success" });
      setProgress(null);
      setFile(null);
      setPicker((n) => n + 1);
      refresh();
    } catch (error) {
      setProgress(null);
      setFailed(message(error));
    }
  };
  return (
    <Box sx={{ maxWidth: 640 }}>
      <Typography variant="subtitle2">Upload a rendition</Typography>
      <Row>
        <Input select size="small" fullWidth={false} sx={{ minWidth: 120 }} label="Quality" value={quality} onChange={(e) => setQuality(e.target.value as Quality)}>
          <MenuItem value="low">low</MenuItem>
          <MenuItem value="normal">normal</MenuItem>
          <MenuItem value="high">high</MenuItem>
        </Input>
        <input
          key={picker}
          type="file"
          accept="audio/*"
          aria-label="Audio file"
          onChange={(event) => setFile(event.target.files?.[0] ?? null)}
        />
        <Button label={failed ? "Retry upload" : "Upload"} onClick={send} disabled={!file || progress !== null} variant="contained" />
      </Row>
      {progress !== null && <LinearProgress variant="determinate" value={progress * 100} aria-label="Upload progress" />}
      {failed && <Typography color="error">{failed}</Typography>}
    </Box>
  );
};

const PublishButton = () => {
  const record = useRecordContext();
  const notify = useNotify();
  const refresh = useRefresh();
  if (!record || record.status !== "draft") return null;
  const publish = async () => {
    try {
      unwrap(await api().POST("/admin/songs/{song_id}/publish", { params: { path: { song_id: String(record.id) } } }));
      notify(`${record.title} is published.`, { type: "success" });
      refresh();
    } catch (error) {
      notify(message(error), { type: "error" });
    }
  };
  return <Button label="Publish" onClick={publish} variant="contained" />;
};

const SongActions = () => {
  const { permissions = [] } = usePermissions<string[]>();
  return (
    <TopToolbar>
      {can.catalog(permissions) && <EditButton />}
      {can.catalog(permissions) && <PublishButton />}
      {can.moderate(permissions) && <ModerationButtons targetType="songs" />}
    </TopToolbar>
  );
};

const CatalogOnly = ({ children }: { children: React.ReactNode }) => {
  const { permissions = [] } = usePermissions<string[]>();
  return can.catalog(permissions) ? <>{children}</> : null;
};

export const SongShow = () => (
  <Show actions={<SongActions />}>
    <SimpleShowLayout>
      <TextField source="title" />
      <ChipField source="status" />
      <TextField source="artist_id" label="Artist id" />
      <NumberField source="duration_ms" label="Duration (ms)" />
      <BooleanField source="explicit" />
      <DateField source="published_at" showTime emptyText="Not published" />
      <ArrayField source="renditions">
        <Datagrid bulkActionButtons={false} empty={<p>No rendition yet: upload one before publishing.</p>}>
          <TextField source="quality" />
          <TextField source="codec" />
          <NumberField source="bitrate_kbps" label="kbps" />
        </Datagrid>
      </ArrayField>
      <CatalogOnly>
        <Upload />
      </CatalogOnly>
    </SimpleShowLayout>
  </Show>
);
