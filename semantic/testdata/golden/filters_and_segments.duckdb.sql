SELECT
  "hubspot_deals".stage AS "hubspot_deals__stage",
  COUNT(*) AS "hubspot_deals__count",
  AVG("hubspot_deals".amount) AS "hubspot_deals__avg_amount",
  COUNT(DISTINCT "hubspot_deals".owner) AS "hubspot_deals__owners"
FROM crm.hubspot_deals AS "hubspot_deals"
WHERE ("hubspot_deals".is_won = true)
  AND "hubspot_deals".stage IN ('won', 'lost')
  AND ("hubspot_deals".owner NOT ILIKE '%test%' ESCAPE '\' AND "hubspot_deals".owner IS NOT NULL)
  AND ("hubspot_deals".amount >= 1000 OR ("hubspot_deals".owner ILIKE 'O''Brien%' ESCAPE '\' AND "hubspot_deals".close_date IS NOT NULL))
  AND ("hubspot_deals".close_date >= '2024-01-01T00:00:00.000Z'::timestamptz AND "hubspot_deals".close_date <= '2024-03-31T23:59:59.999Z'::timestamptz)
  AND "hubspot_deals".close_date <= '2024-06-30T23:59:59.999Z'::timestamptz
GROUP BY "hubspot_deals".stage
HAVING COUNT(*) > 2
ORDER BY "hubspot_deals__count" DESC, "hubspot_deals__stage" ASC
LIMIT 50 OFFSET 10
