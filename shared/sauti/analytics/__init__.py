"""Analytics: counted plays, daily rollups and artist dashboards."""
