import { Title, usePermissions } from "react-admin";
import { Link } from "react-router-dom";
import { Card, CardContent, Typography } from "@mui/material";
import { can } from "./roles";

export const Home = () => {
  const { permissions = [] } = usePermissions<string[]>();
  return (
    <Card>
      <Title title="Sauti console" />
      <CardContent>
        <Typography variant="h5" gutterBottom>
          Welcome
        </Typography>
        <Typography>Signed in as {permissions.join(", ") || "…"}.</Typography>
        <ul>
          {can.catalog(permissions) && (
            <li>
              <Link to="/artists/create">Create an artist</Link>, then add songs, upload their audio and publish.
            </li>
          )}
          {can.catalog(permissions) && (
            <li>
              <Link to="/import">Import a catalog</Link> from a JSON Lines file.
            </li>
          )}
          {can.moderate(permissions) && (
            <li>
              <Link to="/reports">Answer reports</Link>, oldest first.
            </li>
          )}
          {can.grantRoles(permissions) && (
            <li>
              <Link to="/users">Grant and revoke roles</Link>.
            </li>
          )}
          <li>
            <Link to="/stats">Artist dashboard</Link>: plays per day, week and month; top songs; CSV.
          </li>
        </ul>
      </CardContent>
    </Card>
  );
};
