SELECT
  "hubspot_deals".stage AS "hubspot_deals__stage",
  COUNT(*) AS "hubspot_deals__count",
  APPROX_COUNT_DISTINCT("hubspot_deals".owner) AS "hubspot_deals__approx_owners"
FROM crm.hubspot_deals AS "hubspot_deals"
WHERE (("hubspot_deals".owner NOT ILIKE 'AL%' ESCAPE '\\' AND "hubspot_deals".owner NOT ILIKE 'o''\\_%' ESCAPE '\\') OR "hubspot_deals".owner IS NULL)
  AND ("hubspot_deals".owner NOT ILIKE '%\\%son' ESCAPE '\\' AND "hubspot_deals".owner IS NOT NULL)
  AND "hubspot_deals".amount < 370.5
  AND "hubspot_deals".id <= 91
  AND ("hubspot_deals".close_date IS NULL OR ("hubspot_deals".close_date < '2023-12-19T05:00:00.000Z'::timestamp_tz OR "hubspot_deals".close_date > '2024-02-04T04:59:59.999Z'::timestamp_tz))
  AND "hubspot_deals".close_date >= '2023-11-15T05:00:00.000Z'::timestamp_tz
GROUP BY "hubspot_deals".stage
HAVING COUNT(*) <= 9
  AND APPROX_COUNT_DISTINCT("hubspot_deals".owner) < 4
ORDER BY "hubspot_deals__count" DESC
LIMIT 10000
