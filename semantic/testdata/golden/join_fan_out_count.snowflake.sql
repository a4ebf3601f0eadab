SELECT
  "hubspot_deals".stage AS "hubspot_deals__stage",
  COUNT(DISTINCT "companies".id) AS "companies__count"
FROM (SELECT * FROM crm.companies WHERE NOT deleted) AS "companies"
LEFT JOIN crm.hubspot_deals AS "hubspot_deals" ON "companies".id = "hubspot_deals".company_id
WHERE "hubspot_deals".close_date >= '2024-01-01T00:00:00.000Z'::timestamp_tz AND "hubspot_deals".close_date <= '2024-12-31T23:59:59.999Z'::timestamp_tz
GROUP BY "hubspot_deals".stage
ORDER BY "companies__count" DESC
LIMIT 10000
