import {
  ArrayField,
  Button,
  Create,
  Datagrid,
  DateField,
  DateInput,
  Edit,
  EditButton,
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
} from "react-admin";
import { Link, useLocation } from "react-router-dom";
import { can } from "../roles";

/** Albums are reached from their artist (the API has no list of albums); songs join one by its id. */
export const AlbumCreate = () => {
  const artistId = new URLSearchParams(useLocation().search).get("artist_id") ?? "";
  return (
    <Create redirect="show">
      <SimpleForm defaultValues={{ artist_id: artistId }}>
        <TextInput source="artist_id" label="Artist id" validate={required()} />
        <TextInput source="title" validate={required()} />
        <DateInput source="release_date" label="Release date" />
      </SimpleForm>
    </Create>
  );
};

export const AlbumEdit = () => (
  <Edit redirect="show" mutationMode="pessimistic">
    <SimpleForm>
      <TextInput source="title" validate={required()} />
      <DateInput source="release_date" label="Release date" />
    </SimpleForm>
  </Edit>
);

const AlbumActions = () => {
  const { permissions = [] } = usePermissions<string[]>();
  return <TopToolbar>{can.catalog(permissions) && <EditButton />}</TopToolbar>;
};

const AddSong = () => {
  // The public album names its artist; the one just created (the admin answer) has only artist_id.
  const album = useRecordContext<{ id: string; artist?: { id: string }; artist_id?: string }>();
  const { permissions = [] } = usePermissions<string[]>();
  if (!album || !can.catalog(permissions)) return null;
  const artistId = album.artist?.id ?? album.artist_id;
  return <Button component={Link} to={`/songs/create?artist_id=${artistId}&album_id=${album.id}`} label="Add a song to this album" />;
};

export const AlbumShow = () => (
  <Show actions={<AlbumActions />}>
    <SimpleShowLayout>
      <TextField source="title" />
      <TextField source="artist.name" label="Artist" />
      <DateField source="release_date" label="Release date" emptyText="—" />
      <ArrayField source="songs" label="Published songs">
        <Datagrid bulkActionButtons={false} rowClick={(id) => `/songs/${id}/show`} empty={<p>No published song yet.</p>}>
          <NumberField source="track_number" label="#" emptyText="—" />
          <TextField source="title" />
        </Datagrid>
      </ArrayField>
      <AddSong />
    </SimpleShowLayout>
  </Show>
);

