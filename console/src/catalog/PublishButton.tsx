import { Button, useNotify, useRecordContext, useRefresh } from "react-admin";
import { message } from "../errors";

/** Publish the draft in context; a refusal (409 not_ready, say) is shown as the API's sentence. */
export const PublishButton = ({ publish }: { publish: (id: string) => Promise<unknown> }) => {
  const record = useRecordContext();
  const notify = useNotify();
  const refresh = useRefresh();
  if (!record || record.status !== "draft") return null;
  const go = async () => {
    try {
      await publish(String(record.id));
      notify(`${record.title} is published.`, { type: "success" });
      refresh();
    } catch (error) {
      notify(message(error), { type: "error" });
    }
  };
  return <Button label="Publish" onClick={go} variant="contained" />;
};
