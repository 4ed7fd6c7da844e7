import { useState } from "react";
import {
  BooleanField,
  BooleanInput,
  Button,
  Create,
  Datagrid,
  Edit,
  EditButton,
  List,
  NumberField,
  NumberInput,
  Show,
  SimpleForm,
  SimpleShowLayout,
  TextField,
  TextInput,
  TopToolbar,
  UrlField,
  required,
  useNotify,
  useRecordContext,
  useRefresh,
} from "react-admin";
import { Box, LinearProgress, Typography } from "@mui/material";
import { Row } from "../Row";
import { message } from "../errors";
import { uploadAdAudio } from "./upload";
import { CursorPagination } from "../Paging";

/** The ad inventory: what plays between songs for free listeners, weighted; only ads with audio are served. */
export const AdList = () => (
  <List pagination={<CursorPagination />} perPage={25} title="Ad inventory">
    <Datagrid rowClick="show" bulkActionButtons={false}>
      <TextField source="title" />
      <TextField source="advertiser" />
      <NumberField source="duration_ms" label="Duration (ms)" />
      <NumberField source="weight" />
      <BooleanField source="active" />
      <TextField source="object_key" label="Audio" emptyText="none yet: not served" />
    </Datagrid>
  </List>
);

const AdForm = () => (
  <SimpleForm defaultValues={{ weight: 1, active: true }}>
    <TextInput source="title" validate={required()} />
    <TextInput source="advertiser" validate={required()} />
    <NumberInput source="duration_ms" label="Duration (ms)" validate={required()} min={1} max={600000} />
    <TextInput source="click_url" label="Click URL (http or https)" />
    <NumberInput source="weight" label="Weight (1 to 1000: how often, against the others)" min={1} max={1000} />
    <BooleanInput source="active" />
  </SimpleForm>
);

export const AdCreate = () => (
  <Create redirect="show">
    <AdForm />
  </Create>
);

export const AdEdit = () => (
  <Edit redirect="show" mutationMode="pessimistic">
    <AdForm />
  </Edit>
);

const Audio = () => {
  const ad = useRecordContext();
  const notify = useNotify();
  const refresh = useRefresh();
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  if (!ad) return null;
  const send = async () => {
    if (!file) return;
    setFailed(null);
    setProgress(0);
    try {
      await uploadAdAudio(String(ad.id), file, setProgress);
      notify("The ad's audio is stored.", { type: "success" });
      refresh();
    } catch (error) {
      setFailed(message(error));
    } finally {
      setProgress(null);
    }
  };
  return (
    <Box sx={{ maxWidth: 640 }}>
      <Typography variant="subtitle2">{ad.object_key ? "Replace the audio" : "Upload the audio"}</Typography>
      <Row>
        <input type="file" accept="audio/*" aria-label="Ad audio file" onChange={(event) => setFile(event.target.files?.[0] ?? null)} />
        <Button label={failed ? "Retry upload" : "Upload"} onClick={send} disabled={!file || progress !== null} variant="contained" />
      </Row>
      {progress !== null && <LinearProgress variant="determinate" value={progress * 100} aria-label="Upload progress" />}
      {failed && <Typography color="error">{failed}</Typography>}
    </Box>
  );
};

export const AdShow = () => (
  <Show
    actions={
      <TopToolbar>
        <EditButton />
      </TopToolbar>
    }
  >
    <SimpleShowLayout>
      <TextField source="title" />
      <TextField source="advertiser" />
      <NumberField source="duration_ms" label="Duration (ms)" />
      <UrlField source="click_url" label="Click URL" emptyText="—" />
      <NumberField source="weight" />
      <BooleanField source="active" />
      <TextField source="object_key" label="Audio" emptyText="None yet: the ad is not served until it has audio." />
      <Audio />
    </SimpleShowLayout>
  </Show>
);
