import { Button, useListContext } from "react-admin";
import { Box, Typography } from "@mui/material";

/** Paging on the API's cursors: no total is known, so the label counts what is shown and says whether more follow
 * (react-admin's own label would claim a total, e.g. "26-50 of 50" on a last page of five). */
export const CursorPagination = () => {
  const { page, perPage, data, hasNextPage, hasPreviousPage, setPage, isPending } = useListContext();
  const shown = data?.length ?? 0;
  if (isPending || (!shown && page === 1)) return null;
  const first = (page - 1) * perPage + 1;
  const range = shown === 1 ? `${first}` : `${first}-${first + shown - 1}`;
  const label = shown ? `${range}${hasNextPage ? ", more after" : ", the last"}` : "Nothing on this page";
  return (
    <Box sx={{ display: "flex", alignItems: "center", justifyContent: "flex-end", gap: 1, p: 1 }}>
      <Typography variant="body2" role="status" aria-label="Page">
        {label}
      </Typography>
      <Button label="Previous" onClick={() => setPage(page - 1)} disabled={!hasPreviousPage} />
      <Button label="Next" onClick={() => setPage(page + 1)} disabled={!hasNextPage} />
    </Box>
  );
};
