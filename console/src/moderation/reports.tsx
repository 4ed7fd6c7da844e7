import {
  Button,
  Datagrid,
  DateField,
  FunctionField,
  List,
  SelectInput,
  TextField,
  useNotify,
  useRecordContext,
  useRefresh,
} from "react-admin";
import { Link } from "react-router-dom";
import { Row } from "../Row";
import { api, unwrap, type Schemas } from "../api/client";
import { message } from "../errors";
import { CursorPagination } from "../Paging";

type Report = Schemas["Report"];

const Target = () => {
  const report = useRecordContext<Report>();
  if (!report) return null;
  if (report.target_type === "song") return <Link to={`/songs/${report.target_id}/show`}>song {report.target_id}</Link>;
  return (
    <span>
      {report.target_type} {report.target_id}
    </span>
  );
};

const TAKEDOWN: Record<string, string> = { song: "takedown", video: "takedown", playlist: "takedown", user: "suspend" };

const Resolve = () => {
  const report = useRecordContext<Report>();
  const notify = useNotify();
  const refresh = useRefresh();
  if (!report || report.status !== "open") return null;
  const resolve = async (action: string) => {
    const note = window.prompt("A note for the audit log (optional)") ?? undefined;
    try {
      unwrap(
        await api().POST("/admin/reports/{report_id}/resolve", {
          params: { path: { report_id: report.id } },
          body: { action: action as Schemas["ResolveIn"]["action"], note: note || null },
        }),
      );
      notify(action === "dismiss" ? "Report dismissed." : "Report answered: the target is taken out.", { type: "success" });
      refresh();
    } catch (error) {
      notify(message(error), { type: "error" });
    }
  };
  const strong = TAKEDOWN[report.target_type];
  return (
    <Row>
      {strong && <Button label={strong === "suspend" ? "Suspend account" : "Take down"} color="error" onClick={() => resolve(strong)} />}
      <Button label="Dismiss" onClick={() => resolve("dismiss")} />
    </Row>
  );
};

export const ReportList = () => (
  <List
    pagination={<CursorPagination />}
    filters={[
      <SelectInput
        key="status"
        source="status"
        alwaysOn
        choices={[
          { id: "open", name: "Open" },
          { id: "resolved", name: "Resolved" },
        ]}
      />,
    ]}
    filterDefaultValues={{ status: "open" }}
    title="Reports (oldest first)"
  >
    <Datagrid bulkActionButtons={false} rowClick={false}>
      <DateField source="created_at" showTime label="Reported" />
      <FunctionField label="Target" render={() => <Target />} />
      <TextField source="reason" />
      <TextField source="status" />
      <TextField source="resolution" emptyText="—" />
      <Resolve />
    </Datagrid>
  </List>
);
