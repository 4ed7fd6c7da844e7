import { Admin, CustomRoutes, Resource } from "react-admin";
import { Route } from "react-router-dom";
import { authProvider } from "./authProvider";
import { dataProvider } from "./dataProvider";
import { can } from "./roles";
import { ArtistCreate, ArtistEdit, ArtistList, ArtistShow } from "./catalog/artists";
import { SongCreate, SongEdit, SongList, SongShow } from "./catalog/songs";
import { VideoCreate, VideoList, VideoShow } from "./catalog/videos";
import { AlbumCreate, AlbumEdit, AlbumShow } from "./catalog/albums";
import { AdCreate, AdEdit, AdList, AdShow } from "./catalog/ads";
import { ReportList } from "./moderation/reports";
import { UserList } from "./accounts/users";
import { AuditLog } from "./audit/log";
import { Dashboard } from "./artists/dashboard";
import { CatalogImport } from "./catalog/import";
import { Home } from "./Home";
import { Layout } from "./Layout";

/** Only what the signed-in role may use is offered; the API checks every call again. */
export const App = () => (
  <Admin dataProvider={dataProvider} authProvider={authProvider} dashboard={Home} layout={Layout} requireAuth disableTelemetry title="Sauti console">
    {(roles: string[]) => (
      <>
        {can.staff(roles) && (
          <Resource
            name="artists"
            list={ArtistList}
            show={ArtistShow}
            create={can.catalog(roles) ? ArtistCreate : undefined}
            edit={can.catalog(roles) ? ArtistEdit : undefined}
          />
        )}
        {can.staff(roles) && (
          <Resource
            name="songs"
            list={SongList}
            show={SongShow}
            create={can.catalog(roles) ? SongCreate : undefined}
            edit={can.catalog(roles) ? SongEdit : undefined}
          />
        )}
        {can.staff(roles) && (
          <Resource name="albums" show={AlbumShow} create={can.catalog(roles) ? AlbumCreate : undefined} edit={can.catalog(roles) ? AlbumEdit : undefined} />
        )}
        {can.staff(roles) && <Resource name="videos" list={VideoList} show={VideoShow} create={can.catalog(roles) ? VideoCreate : undefined} />}
        {can.catalog(roles) && <Resource name="ads" list={AdList} show={AdShow} create={AdCreate} edit={AdEdit} options={{ label: "Ads" }} />}
        {can.moderate(roles) && <Resource name="reports" list={ReportList} />}
        {can.staff(roles) && <Resource name="users" list={UserList} options={{ label: "Accounts" }} />}
        {can.staff(roles) && <Resource name="audit-log" list={AuditLog} options={{ label: "Audit log" }} />}
        <CustomRoutes>
          <Route path="/stats" element={<Dashboard />} />
          <Route path="/stats/:artistId" element={<Dashboard />} />
          {can.catalog(roles) && <Route path="/import" element={<CatalogImport />} />}
        </CustomRoutes>
      </>
    )}
  </Admin>
);
