import { useState } from "react";
import {
  ArrayField,
  BooleanField,
  BooleanInput,
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
  usePermissions,
  useRecordContext,
} from "react-admin";
import { useLocation } from "react-router-dom";
import { MenuItem, TextField as Input } from "@mui/material";
import { api, unwrap } from "../api/client";
import { can } from "../roles";
import { ModerationButtons } from "../moderation/actions";
import { uploadRendition, type Quality } from "./upload";
import { FileUpload } from "./FileUpload";
import { PublishButton } from "./PublishButton";
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
  const [quality, setQuality] = useState<Quality>("normal");
  if (!record) return null;
  return (
    <FileUpload
      title="Upload a rendition"
      accept="audio/*"
      fileLabel="Audio file"
      sent={`The ${quality} rendition is stored.`}
      send={(file, onProgress) => uploadRendition(String(record.id), quality, file, onProgress)}
    >
      <Input select size="small" fullWidth={false} sx={{ minWidth: 120 }} label="Quality" value={quality} onChange={(e) => setQuality(e.target.value as Quality)}>
        <MenuItem value="low">low</MenuItem>
        <MenuItem value="normal">normal</MenuItem>
        <MenuItem value="high">high</MenuItem>
      </Input>
    </FileUpload>
  );
};

const publishSong = async (id: string) =>
  unwrap(await api().POST("/admin/songs/{song_id}/publish", { params: { path: { song_id: id } } }));

const SongActions = () => {
  const { permissions = [] } = usePermissions<string[]>();
  return (
    <TopToolbar>
      {can.catalog(permissions) && <EditButton />}
      {can.catalog(permissions) && <PublishButton publish={publishSong} />}
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
