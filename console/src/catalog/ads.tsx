import {
  BooleanField,
  BooleanInput,
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
  useRecordContext,
} from "react-admin";
import { uploadAdAudio } from "./upload";
import { FileUpload } from "./FileUpload";
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
  if (!ad) return null;
  return (
    <FileUpload
      title={ad.object_key ? "Replace the audio" : "Upload the audio"}
      accept="audio/*"
      fileLabel="Ad audio file"
      sent="The ad's audio is stored."
      send={(file, onProgress) => uploadAdAudio(String(ad.id), file, onProgress)}
    />
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
