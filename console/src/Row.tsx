import type { ReactNode } from "react";
import { Box } from "@mui/material";

/** Controls side by side, wrapping on a narrow (tablet) screen. */
export const Row = ({ children }: { children: ReactNode }) => (
  <Box sx={{ display: "flex", flexWrap: "wrap", alignItems: "center", gap: 1, mb: 1 }}>{children}</Box>
);
