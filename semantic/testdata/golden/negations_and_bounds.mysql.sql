SELECT
  `hubspot_deals`.stage AS `hubspot_deals__stage`,
  COUNT(*) AS `hubspot_deals__count`,
  COUNT(DISTINCT `hubspot_deals`.owner) AS `hubspot_deals__approx_owners`
FROM crm.hubspot_deals AS `hubspot_deals`
WHERE ((`hubspot_deals`.owner NOT LIKE 'AL%' ESCAPE '\\' AND `hubspot_deals`.owner NOT LIKE 'o''\\_%' ESCAPE '\\') OR `hubspot_deals`.owner IS NULL)
  AND (`hubspot_deals`.owner NOT LIKE '%\\%son' ESCAPE '\\' AND `hubspot_deals`.owner IS NOT NULL)
  AND `hubspot_deals`.amount < 370.5
  AND `hubspot_deals`.id <= 91
  AND (`hubspot_deals`.close_date IS NULL OR (`hubspot_deals`.close_date < TIMESTAMP('2023-12-19 05:00:00.000') OR `hubspot_deals`.close_date > TIMESTAMP('2024-02-04 04:59:59.999')))
  AND `hubspot_deals`.close_date >= TIMESTAMP('2023-11-15 05:00:00.000')
GROUP BY `hubspot_deals`.stage
HAVING COUNT(*) <= 9
  AND COUNT(DISTINCT `hubspot_deals`.owner) < 4
ORDER BY `hubspot_deals__count` DESC
LIMIT 10000
