import { useEffect, useState } from "react";
import { Button, Title, useNotify } from "react-admin";
import { useNavigate, useParams } from "react-router-dom";
import { Box, Card, CardContent, MenuItem, TextField as Input, Typography } from "@mui/material";
import { Bar, BarChart, CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { api, unwrap, type Schemas } from "../api/client";
import { Row } from "../Row";
import { message } from "../errors";
import { csv, grouped, type Grain } from "./series";

type Stats = Schemas["ArtistStats"];
type Range = Stats["range"];

const RANGES: { id: Range; name: string }[] = [
  { id: "last_7_days", name: "Last 7 days" },
  { id: "last_30_days", name: "Last 30 days" },
  { id: "last_365_days", name: "Last 365 days" },
  { id: "all_time", name: "All time" },
];

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.click();
  URL.revokeObjectURL(url);
}

/** Find an artist by name (search) or by id, then open its dashboard. */
const Picker = () => {
  const navigate = useNavigate();
  const notify = useNotify();
  const [query, setQuery] = useState("");
  const [found, setFound] = useState<{ id: string; name: string }[]>([]);
  const find = async () => {
    try {
      const results = unwrap(await api().GET("/search", { params: { query: { q: query, types: "artists", limit: 10 } } }));
      setFound(results.artists.items);
      if (!results.artists.items.length) notify("No artist by that name.", { type: "info" });
    } catch (error) {
      notify(message(error), { type: "error" });
    }
  };
  return (
    <Card>
      <Title title="Artist dashboard" />
      <CardContent>
        <Row>
          <Input size="small" fullWidth={false} label="Artist name" value={query} onChange={(e) => setQuery(e.target.value)} />
          <Button label="Find" onClick={find} disabled={!query.trim()} variant="outlined" />
        </Row>
        {found.map((artist) => (
          <Button key={artist.id} label={artist.name} onClick={() => navigate(`/stats/${artist.id}`)} />
        ))}
      </CardContent>
    </Card>
  );
};

export const Dashboard = () => {
  const { artistId } = useParams();
  const notify = useNotify();
  const [range, setRange] = useState<Range>("last_30_days");
  const [grain, setGrain] = useState<Grain>("day");
  const [stats, setStats] = useState<Stats | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    if (!artistId) return;
    let current = true;
    api()
      .GET("/artists/{artist_id}/stats", { params: { path: { artist_id: artistId }, query: { range } } })
      .then((result) => current && (setStats(unwrap(result)), setProblem(null)))
      .catch((error) => current && setProblem(message(error)));
    return () => {
      current = false;
    };
  }, [artistId, range, notify]);
  if (!artistId) return <Picker />;
  const points = stats ? grouped(stats.daily, grain) : [];
  const exportCsv = () =>
    stats &&
    download(
      `sauti-${artistId}-${range}-${grain}.csv`,
      csv([
        [grain, "plays"],
        ...points.map((p) => [p.period, p.plays]),
        [],
        ["top song", "plays"],
        ...stats.top_songs.map((s) => [s.title, s.plays]),
      ]),
    );
  return (
    <Card>
      <Title title="Artist dashboard" />
      <CardContent>
        <Row>
          <Input select size="small" fullWidth={false} sx={{ minWidth: 180 }} label="Range" value={range} onChange={(e) => setRange(e.target.value as Range)}>
            {RANGES.map((r) => (
              <MenuItem key={r.id} value={r.id}>
                {r.name}
              </MenuItem>
            ))}
          </Input>
          <Input select size="small" fullWidth={false} sx={{ minWidth: 120 }} label="Per" value={grain} onChange={(e) => setGrain(e.target.value as Grain)}>
            <MenuItem value="day">day</MenuItem>
            <MenuItem value="week">week</MenuItem>
            <MenuItem value="month">month</MenuItem>
          </Input>
          <Button label="Download CSV" onClick={exportCsv} disabled={!stats} variant="outlined" />
        </Row>
        {problem && <Typography color="error">{problem}</Typography>}
        {stats && (
          <>
            <Typography sx={{ mb: 2 }} aria-label="Summary">
              {stats.total_plays.toLocaleString("en")} counted plays through {stats.through} (UTC; today is not
              counted yet, and plays shorter than 30 seconds are not counted).
            </Typography>
            <Typography variant="h6">Plays per {grain}</Typography>
            <Box sx={{ width: "100%", height: 260 }}>
              <ResponsiveContainer>
                <LineChart data={points}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="period" />
                  <YAxis allowDecimals={false} />
                  <Tooltip />
                  <Line type="monotone" dataKey="plays" stroke="#1976d2" isAnimationActive={false} />
                </LineChart>
              </ResponsiveContainer>
            </Box>
            <Typography variant="h6">Top songs</Typography>
            <Box sx={{ width: "100%", height: 40 + 32 * stats.top_songs.length }}>
              <ResponsiveContainer>
                <BarChart data={stats.top_songs} layout="vertical" margin={{ left: 40 }}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis type="number" allowDecimals={false} />
                  <YAxis type="category" dataKey="title" width={160} />
                  <Tooltip />
                  <Bar dataKey="plays" fill="#2e7d32" isAnimationActive={false} />
                </BarChart>
              </ResponsiveContainer>
            </Box>
          </>
        )}
      </CardContent>
    </Card>
  );
};
