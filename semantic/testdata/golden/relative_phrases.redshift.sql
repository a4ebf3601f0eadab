SELECT
  date_trunc('quarter', CONVERT_TIMEZONE('UTC', "hubspot_deals".close_date)) AS "hubspot_deals__close_date_quarter",
  "hubspot_deals".is_won AS "hubspot_deals__is_won",
  COUNT(*) AS "hubspot_deals__count"
FROM crm.hubspot_deals AS "hubspot_deals"
WHERE "hubspot_deals".close_date >= '2023-12-15T00:00:00.000Z'::timestamptz AND "hubspot_deals".close_date <= '2024-03-15T23:59:59.999Z'::timestamptz
  AND "hubspot_deals".close_date >= '2024-01-01T00:00:00.000Z'::timestamptz AND "hubspot_deals".close_date <= '2024-12-31T23:59:59.999Z'::timestamptz
  AND "hubspot_deals".is_won = TRUE
  AND "hubspot_deals".stage ILIKE '%back\\\\slash' ESCAPE '\\'
GROUP BY date_trunc('quarter', CONVERT_TIMEZONE('UTC', "hubspot_deals".close_date)), "hubspot_deals".is_won
ORDER BY "hubspot_deals__close_date_quarter" ASC
LIMIT 10000
