import { useState } from "react";
import {
  Button,
  Create,
  Datagrid,
  Edit,
  List,
  SearchInput,
  Show,
  SimpleForm,
  SimpleShowLayout,
  TextField,
  TextInput,
  TopToolbar,
  EditButton,
  required,
  useNotify,
  useRecordContext,
  useRefresh,
} from "react-admin";
import { Link } from "react-router-dom";
import { TextField as Input } from "@mui/material";
import { Row } from "../Row";
import { api, unwrap } from "../api/client";
import { message } from "../errors";

export const ArtistList = () => (
  <List filters={[<SearchInput source="q" alwaysOn key="q" placeholder="Search artists by name" />]} pagination={false}>
    <Datagrid rowClick="show" bulkActionButtons={false} empty={<p>Type a name to find an artist.</p>}>
      <TextField source="name" />
      <TextField source="id" />
    </Datagrid>
  </List>
);

export const ArtistCreate = () => (
  <Create redirect="show">
    <SimpleForm>
      <TextInput source="name" validate={required()} />
      <TextInput source="bio" multiline fullWidth />
    </SimpleForm>
  </Create>
);

export const ArtistEdit = () => (
  <Edit redirect="show" mutationMode="pessimistic">
    <SimpleForm>
      <TextInput source="name" validate={required()} />
      <TextInput source="bio" multiline fullWidth />
    </SimpleForm>
  </Edit>
);

const ArtistActions = () => {
  const record = useRecordContext();
  if (!record) return null;
  return (
    <TopToolbar>
      <EditButton />
      <Button component={Link} to={`/songs/create?artist_id=${record.id}`} label="Add a song" />
      <Button component={Link} to={`/albums/create?artist_id=${record.id}`} label="Add an album" />
      <Button component={Link} to={`/videos/create?artist_id=${record.id}`} label="Add a video" />
      <Button component={Link} to={`/stats/${record.id}`} label="Dashboard" />
    </TopToolbar>
  );
};

const LinkAccount = () => {
  const record = useRecordContext();
  const notify = useNotify();
  const refresh = useRefresh();
  const [email, setEmail] = useState("");
  if (!record) return null;
  const link = async () => {
    try {
      unwrap(
        await api().PUT("/admin/artists/{artist_id}/account", {
          params: { path: { artist_id: String(record.id) } },
          body: { email },
        }),
      );
      notify(`${email} now manages ${record.name} and sees its dashboard.`, { type: "success" });
      refresh();
    } catch (error) {
      notify(message(error), { type: "error" });
    }
  };
  return (
    <Row>
      <Input size="small" fullWidth={false} label="Account email" value={email} onChange={(event) => setEmail(event.target.value)} />
      <Button label="Link account" onClick={link} disabled={!email} variant="outlined" />
    </Row>
  );
};

export const ArtistShow = () => (
  <Show actions={<ArtistActions />}>
    <SimpleShowLayout>
      <TextField source="name" />
      <TextField source="bio" emptyText="No bio yet" />
      <TextField source="id" />
      <LinkAccount />
    </SimpleShowLayout>
  </Show>
);
