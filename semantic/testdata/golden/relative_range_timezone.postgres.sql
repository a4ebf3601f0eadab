SELECT
  date_trunc('week', ("hubspot_deals".close_date::timestamptz AT TIME ZONE 'America/Los_Angeles')) AS "hubspot_deals__close_date_week",
  COUNT(*) AS "hubspot_deals__count",
  SUM("hubspot_deals".amount) AS "hubspot_deals__amount"
FROM crm.hubspot_deals AS "hubspot_deals"
WHERE "hubspot_deals".close_date >= '2024-03-08T08:00:00.000Z'::timestamptz AND "hubspot_deals".close_date <= '2024-03-15T06:59:59.999Z'::timestamptz
GROUP BY date_trunc('week', ("hubspot_deals".close_date::timestamptz AT TIME ZONE 'America/Los_Angeles'))
ORDER BY "hubspot_deals__close_date_week" ASC
LIMIT 10000
