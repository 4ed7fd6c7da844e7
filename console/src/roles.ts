/** Who may do what in the console: the API's matrix (docs/admin.md), used only to decide what to offer.
 * The API checks every call again, so a stale role shows the API's refusal rather than opening a way in. */
export type Role = "super_admin" | "content_manager" | "moderator" | "artist";

export const STAFF: Role[] = ["super_admin", "content_manager", "moderator"];

export const can = {
  console: (roles: string[]) => roles.some((role) => [...STAFF, "artist"].includes(role)),
  catalog: (roles: string[]) => roles.includes("super_admin") || roles.includes("content_manager"),
  moderate: (roles: string[]) => roles.includes("super_admin") || roles.includes("moderator"),
  grantRoles: (roles: string[]) => roles.includes("super_admin"),
  staff: (roles: string[]) => roles.some((role) => STAFF.includes(role as Role)),
};
