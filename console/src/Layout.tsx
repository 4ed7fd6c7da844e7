import type { ReactNode } from "react";
import { Layout as RaLayout, Menu } from "react-admin";

/** The resources the role may use, and the artist dashboard (a page of its own, for artists and staff). */
const ConsoleMenu = () => (
  <Menu>
    <Menu.DashboardItem />
    <Menu.ResourceItems />
    <Menu.Item to="/stats" primaryText="Artist dashboard" />
  </Menu>
);

export const Layout = ({ children }: { children: ReactNode }) => <RaLayout menu={ConsoleMenu}>{children}</RaLayout>;
