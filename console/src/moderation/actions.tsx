import { Button, useNotify, useRecordContext, useRefresh } from "react-admin";
import { api, unwrap } from "../api/client";
import { message } from "../errors";

type Target = "songs" | "videos" | "playlists";

function askReason(what: string): string | null {
  const reason = window.prompt(`Why ${what}? (kept in the audit log)`);
  return reason && reason.trim() ? reason.trim() : null;
}

/** Take down or restore the record in context; the API's refusal is shown if the role changed meanwhile. */
export const ModerationButtons = ({ targetType }: { targetType: Target }) => {
  const record = useRecordContext();
  const notify = useNotify();
  const refresh = useRefresh();
  if (!record) return null;
  const act = async (action: "takedown" | "restore") => {
    const reason = askReason(action === "takedown" ? "take this down" : "restore this");
    if (!reason) return;
    try {
      const path = `/admin/${targetType}/{target_id}/${action}` as `/admin/songs/{target_id}/takedown`;
      unwrap(await api().POST(path, { params: { path: { target_id: String(record.id) } }, body: { reason } }));
      notify(action === "takedown" ? "Taken down: it is no longer served." : "Restored.", { type: "success" });
      refresh();
    } catch (error) {
      notify(message(error), { type: "error" });
    }
  };
  return record.status === "taken_down" ? (
    <Button label="Restore" onClick={() => act("restore")} />
  ) : (
    <Button label="Take down" onClick={() => act("takedown")} color="error" />
  );
};
