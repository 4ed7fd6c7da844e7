/** react-admin's data provider over the public API: each resource mapped to its routes, cursor paging. */
import type { DataProvider, GetListParams, GetListResult, RaRecord } from "react-admin";
import { api, unwrap, type Schemas } from "./api/client";
import { keepTicket } from "./catalog/streamUpload";

type Filter = Record<string, string | undefined>;

interface Page<T> {
  items: T[];
  next_cursor?: string | null;
}

/** The API pages with opaque cursors: remember the cursor that opens each page of each query. */
const cursors = new Map<string, string>();

function cursorFor(resource: string, params: GetListParams): string | undefined {
  const page = params.pagination?.page ?? 1;
  return page > 1 ? cursors.get(`${resource}|${JSON.stringify(params.filter)}|${page}`) : undefined;
}

function paged<T extends RaRecord>(resource: string, params: GetListParams, result: Page<T>): GetListResult<T> {
  const page = params.pagination?.page ?? 1;
  if (result.next_cursor) {
    cursors.set(`${resource}|${JSON.stringify(params.filter)}|${page + 1}`, result.next_cursor);
  }
  return {
    data: result.items,
    pageInfo: { hasNextPage: Boolean(result.next_cursor), hasPreviousPage: page > 1 },
  };
}

function limit(params: GetListParams): number {
  return Math.min(params.pagination?.perPage ?? 20, 100);
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() ? value.trim() : undefined;
}

/** An ad's form as the API's body: numbers as numbers, an empty click URL as none. */
function adFields(data: Record<string, unknown>): Schemas["AdPatch"] {
  return {
    title: String(data.title),
    advertiser: String(data.advertiser),
    duration_ms: Number(data.duration_ms),
    click_url: text(data.click_url) ?? null,
    weight: Number(data.weight ?? 1),
    active: Boolean(data.active),
  };
}

async function list(resource: string, params: GetListParams): Promise<GetListResult> {
  const filter = (params.filter ?? {}) as Filter;
  const cursor = cursorFor(resource, params);
  switch (resource) {
    case "artists": {
      const q = text(filter.q);
      if (!q) return { data: [], pageInfo: { hasNextPage: false, hasPreviousPage: false } };
      const found = unwrap(await api().GET("/search", { params: { query: { q, types: "artists", limit: 50 } } }));
      return { data: found.artists.items, pageInfo: { hasNextPage: false, hasPreviousPage: false } };
    }
    case "songs": {
      const q = text(filter.q);
      if (q) {
        const found = unwrap(await api().GET("/search", { params: { query: { q, types: "songs", limit: 50 } } }));
        return { data: found.songs.items, pageInfo: { hasNextPage: false, hasPreviousPage: false } };
      }
      return paged(resource, params, unwrap(await api().GET("/songs", { params: { query: { limit: limit(params), cursor } } })));
    }
    case "videos":
      return paged(resource, params, unwrap(await api().GET("/videos", { params: { query: { limit: limit(params), cursor } } })));
    case "ads":
      return paged(resource, params, unwrap(await api().GET("/admin/ads", { params: { query: { limit: limit(params), cursor } } })));
    case "reports": {
      const status = filter.status === "resolved" ? "resolved" : "open";
      return paged(
        resource,
        params,
        unwrap(await api().GET("/admin/reports", { params: { query: { status, limit: limit(params), cursor } } })),
      );
    }
    case "users":
      return paged(
        resource,
        params,
        unwrap(
          await api().GET("/admin/users", {
            params: { query: { email: text(filter.email), role: text(filter.role), limit: limit(params), cursor } },
          }),
        ),
      );
    case "audit-log":
      return paged(
        resource,
        params,
        unwrap(
          await api().GET("/admin/audit-log", {
            params: {
              query: {
                actor: text(filter.actor),
                action: text(filter.action),
                target_id: text(filter.target_id),
                since: text(filter.since),
                until: text(filter.until),
                limit: limit(params),
                cursor,
              },
            },
          }),
        ),
      );
  }
  throw new Error(`The console has no list of ${resource}.`);
}

async function one(resource: string, id: string): Promise<RaRecord> {
  switch (resource) {
    case "artists":
      return unwrap(await api().GET("/artists/{artist_id}", { params: { path: { artist_id: id } } }));
    case "songs":
      return unwrap(await api().GET("/admin/songs/{song_id}", { params: { path: { song_id: id } } }));
    case "videos":
      return unwrap(await api().GET("/admin/videos/{video_id}", { params: { path: { video_id: id } } }));
    case "albums":
      return unwrap(await api().GET("/albums/{album_id}", { params: { path: { album_id: id } } }));
    case "ads":
      return unwrap(await api().GET("/admin/ads/{ad_id}", { params: { path: { ad_id: id } } }));
  }
  throw new Error(`The console cannot open one of ${resource}.`);
}

const unsupported = (what: string) => async () => {
  throw new Error(`The API has no way to ${what}.`);
};

export const dataProvider: DataProvider = {
  getList: (resource, params) => list(resource, params) as never,
  getOne: async (resource, params) => ({ data: await one(resource, String(params.id)) }) as never,
  getMany: async (resource, params) =>
    ({ data: await Promise.all(params.ids.map((id) => one(resource, String(id)))) }) as never,
  getManyReference: unsupported("list these together") as never,
  async create(resource, params) {
    const data = params.data as Record<string, unknown>;
    switch (resource) {
      case "artists":
        return {
          data: unwrap(
            await api().POST("/admin/artists", { body: { name: String(data.name), bio: text(data.bio) ?? null } }),
          ),
        } as never;
      case "songs":
        return {
          data: unwrap(
            await api().POST("/admin/songs", {
              body: {
                artist_id: String(data.artist_id),
                album_id: text(data.album_id) ?? null,
                title: String(data.title),
                duration_ms: Math.round(Number(data.duration_seconds) * 1000),
                explicit: Boolean(data.explicit),
                isrc: text(data.isrc) ?? null,
              },
            }),
          ),
        } as never;
      case "videos": {
        const created = unwrap(
          await api().POST("/admin/videos", {
            body: { artist_id: String(data.artist_id), title: String(data.title), song_id: text(data.song_id) ?? null },
          }),
        );
        keepTicket(created.video.id, created.upload);
        return { data: created.video } as never;
      }
      case "albums":
        return {
          data: unwrap(
            await api().POST("/admin/albums", {
              body: { artist_id: String(data.artist_id), title: String(data.title), release_date: text(data.release_date) ?? null },
            }),
          ),
        } as never;
      case "ads":
        return { data: unwrap(await api().POST("/admin/ads", { body: adFields(data) as Schemas["AdIn"] })) } as never;
    }
    throw new Error(`The console cannot create ${resource}.`);
  },
  async update(resource, params) {
    const data = params.data as Record<string, unknown>;
    const id = String(params.id);
    switch (resource) {
      case "artists":
        return {
          data: unwrap(
            await api().PATCH("/admin/artists/{artist_id}", {
              params: { path: { artist_id: id } },
              body: { name: String(data.name), bio: text(data.bio) ?? null },
            }),
          ),
        } as never;
      case "songs":
        return {
          data: unwrap(
            await api().PATCH("/admin/songs/{song_id}", {
              params: { path: { song_id: id } },
              body: { title: String(data.title), explicit: Boolean(data.explicit), isrc: text(data.isrc) ?? null },
            }),
          ),
        } as never;
      case "albums":
        return {
          data: unwrap(
            await api().PATCH("/admin/albums/{album_id}", {
              params: { path: { album_id: id } },
              body: { title: String(data.title), release_date: text(data.release_date) ?? null },
            }),
          ),
        } as never;
      case "ads":
        return {
          data: unwrap(await api().PATCH("/admin/ads/{ad_id}", { params: { path: { ad_id: id } }, body: adFields(data) })),
        } as never;
    }
    throw new Error(`The console cannot edit ${resource}.`);
  },
  updateMany: unsupported("edit many at once") as never,
  delete: unsupported("delete this: take it down instead") as never,
  deleteMany: unsupported("delete these") as never,
};
