import type { ReactNode } from "react";
import { Layout as RaLayout, Menu, usePermissions } from "react-admin";
import { can } from "./roles";

/** The resources the role may use, and the artist dashboard (a page of its own, for artists and staff). */
const ConsoleMenu = () => {
  const { permissions = [] } = usePermissions<string[]>();
  return (
    <Menu>
      <Menu.DashboardItem />
      <Menu.ResourceItems />
      {can.catalog(permissions) && <Menu.Item to="/import" primaryText="Import" />}
      <Menu.Item to="/stats" primaryText="Artist dashboard" />
    </Menu>
  );
};

export const Layout = ({ children }: { children: ReactNode }) => <RaLayout menu={ConsoleMenu}>{children}</RaLayout>;
