import type { AuthProvider } from "react-admin";
import { api, ApiError, unwrap } from "./api/client";
import { session } from "./api/session";
import { can } from "./roles";

const PROFILE_KEY = "sauti.console.profile";

interface Who {
  id: string;
  fullName: string;
  roles: string[];
}

function stored(): Who | null {
  const raw = sessionStorage.getItem(PROFILE_KEY);
  return raw ? (JSON.parse(raw) as Who) : null;
}

export const authProvider: AuthProvider = {
  async login({ username, password }: { username: string; password: string }) {
    const signedIn = unwrap(
      await api().POST("/auth/login", {
        body: { email: username, password, platform: "web", device_name: "Sauti console" },
      }),
    );
    session.store(signedIn);
    const profile = unwrap(await api().GET("/me"));
    if (!can.console(profile.roles)) {
      await authProvider.logout(undefined);
      throw new Error("This account has no access to the console: it is for the team and for artists.");
    }
    sessionStorage.setItem(
      PROFILE_KEY,
      JSON.stringify({ id: profile.id, fullName: profile.display_name, roles: profile.roles }),
    );
  },
  async logout() {
    const refreshToken = session.refreshToken();
    if (refreshToken) {
      await api()
        .POST("/auth/logout", { body: { refresh_token: refreshToken } })
        .catch(() => undefined); // signing out locally is what matters
    }
    session.clear();
    sessionStorage.removeItem(PROFILE_KEY);
  },
  async checkAuth() {
    if (!session.accessToken() || !stored()) throw new Error("Please sign in.");
  },
  async checkError(error: unknown) {
    if (error instanceof ApiError && error.status === 401) {
      session.clear();
      sessionStorage.removeItem(PROFILE_KEY);
      throw new Error("Your session has ended: please sign in again.");
    }
  },
  async getPermissions() {
    return stored()?.roles ?? [];
  },
  async getIdentity() {
    const who = stored();
    if (!who) throw new Error("Please sign in.");
    return { id: who.id, fullName: who.fullName };
  },
};
