import { useState } from "react";
import {
  BooleanField,
  Button,
  Datagrid,
  FunctionField,
  List,
  TextField,
  TextInput,
  useNotify,
  usePermissions,
  useRecordContext,
  useRefresh,
} from "react-admin";
import { Chip, MenuItem, TextField as Input } from "@mui/material";
import { api, unwrap, type Schemas } from "../api/client";
import { Row } from "../Row";
import { message } from "../errors";
import { can } from "../roles";
import { CursorPagination } from "../Paging";

type User = Schemas["AdminUser"];
const GRANTABLE = ["super_admin", "content_manager", "moderator"];

const Roles = () => {
  const user = useRecordContext<User>();
  const { permissions = [] } = usePermissions<string[]>();
  const notify = useNotify();
  const refresh = useRefresh();
  const [role, setRole] = useState("");
  if (!user) return null;
  const change = async (method: "PUT" | "DELETE", name: string) => {
    const call = { params: { path: { user_id: user.id, role: name } } };
    try {
      unwrap(method === "PUT" ? await api().PUT("/admin/users/{user_id}/roles/{role}", call) : await api().DELETE("/admin/users/{user_id}/roles/{role}", call));
      notify(method === "PUT" ? `${user.email} is now ${name}.` : `${user.email} is no longer ${name}.`, { type: "success" });
      setRole("");
      refresh();
    } catch (error) {
      notify(message(error), { type: "error" });
    }
  };
  const granting = can.grantRoles(permissions);
  return (
    <Row>
      {user.roles.map((name) =>
        granting && GRANTABLE.includes(name) ? (
          <Chip key={name} label={name} onDelete={() => change("DELETE", name)} aria-label={`Revoke ${name}`} />
        ) : (
          <Chip key={name} label={name} />
        ),
      )}
      {granting && (
        <>
          <Input select size="small" fullWidth={false} label="Grant role" value={role} onChange={(e) => setRole(e.target.value)} sx={{ minWidth: 160 }}>
            {GRANTABLE.filter((name) => !user.roles.includes(name)).map((name) => (
              <MenuItem key={name} value={name}>
                {name}
              </MenuItem>
            ))}
          </Input>
          <Button label="Grant" disabled={!role} onClick={() => change("PUT", role)} />
        </>
      )}
    </Row>
  );
};

const Suspension = () => {
  const user = useRecordContext<User>();
  const { permissions = [] } = usePermissions<string[]>();
  const notify = useNotify();
  const refresh = useRefresh();
  if (!user || !can.moderate(permissions)) return null;
  const act = async (action: "suspend" | "unsuspend") => {
    const reason = window.prompt(`Why ${action} ${user.email}? (kept in the audit log)`);
    if (!reason?.trim()) return;
    try {
      const path = `/admin/users/{user_id}/${action}` as "/admin/users/{user_id}/suspend";
      unwrap(await api().POST(path, { params: { path: { user_id: user.id } }, body: { reason: reason.trim() } }));
      notify(action === "suspend" ? `${user.email} is suspended: every session ended.` : `${user.email} may sign in again.`, {
        type: "success",
      });
      refresh();
    } catch (error) {
      notify(message(error), { type: "error" });
    }
  };
  return user.suspended ? (
    <Button label="Unsuspend" onClick={() => act("unsuspend")} />
  ) : (
    <Button label="Suspend" color="error" onClick={() => act("suspend")} />
  );
};

export const UserList = () => (
  <List
    pagination={<CursorPagination />}
    filters={[
      <TextInput key="email" source="email" label="Email" alwaysOn />,
      <TextInput key="role" source="role" label="Role" />,
    ]}
    title="Accounts and roles"
  >
    <Datagrid bulkActionButtons={false} rowClick={false}>
      <TextField source="email" />
      <TextField source="display_name" label="Name" />
      <FunctionField label="Roles" render={() => <Roles />} />
      <BooleanField source="suspended" />
      <Suspension />
    </Datagrid>
  </List>
);
