import { Datagrid, DateField, DateInput, List, TextField, TextInput, useRecordContext } from "react-admin";
import { Box, Typography } from "@mui/material";
import type { Schemas } from "../api/client";
import { CursorPagination } from "../Paging";

type Entry = Schemas["AuditEntry"];

const Side = ({ title, value }: { title: string; value: unknown }) => (
  <Box sx={{ flex: 1, minWidth: 0 }}>
    <Typography variant="subtitle2">{title}</Typography>
    <Box component="pre" sx={{ whiteSpace: "pre-wrap", wordBreak: "break-word", fontSize: 12, m: 0 }}>
      {value === null || value === undefined ? "—" : JSON.stringify(value, null, 2)}
    </Box>
  </Box>
);

/** Each entry's row before and after the change, side by side. */
const BeforeAfter = () => {
  const entry = useRecordContext<Entry>();
  if (!entry) return null;
  return (
    <Box sx={{ display: "flex", gap: 2 }}>
      <Side title="Before" value={entry.before} />
      <Side title="After" value={entry.after} />
    </Box>
  );
};

export const AuditLog = () => (
  <List
    pagination={<CursorPagination />}
    filters={[
      <TextInput key="actor" source="actor" label="Actor id" alwaysOn />,
      <TextInput key="action" source="action" label="Action" alwaysOn />,
      <TextInput key="target_id" source="target_id" label="Target id" />,
      <DateInput key="since" source="since" label="From (UTC day)" alwaysOn />,
      <DateInput key="until" source="until" label="To (UTC day)" alwaysOn />,
    ]}
    title="Audit log"
  >
    <Datagrid bulkActionButtons={false} rowClick="expand" expand={<BeforeAfter />}>
      <DateField source="created_at" showTime label="When" />
      <TextField source="action" />
      <TextField source="target_type" label="Target" />
      <TextField source="target_id" label="Target id" emptyText="—" />
      <TextField source="actor_id" label="Actor" emptyText="system" />
      <TextField source="reason" emptyText="—" />
    </Datagrid>
  </List>
);
