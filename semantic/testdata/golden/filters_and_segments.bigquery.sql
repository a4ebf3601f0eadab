SELECT
  `hubspot_deals`.stage AS `hubspot_deals__stage`,
  COUNT(*) AS `hubspot_deals__count`,
  AVG(`hubspot_deals`.amount) AS `hubspot_deals__avg_amount`,
  COUNT(DISTINCT `hubspot_deals`.owner) AS `hubspot_deals__owners`
FROM crm.hubspot_deals AS `hubspot_deals`
WHERE (`hubspot_deals`.is_won = true)
  AND `hubspot_deals`.stage IN ('won', 'lost')
  AND (LOWER(`hubspot_deals`.owner) NOT LIKE '%test%' AND `hubspot_deals`.owner IS NOT NULL)
  AND (`hubspot_deals`.amount >= 1000 OR (LOWER(`hubspot_deals`.owner) LIKE 'o\'brien%' AND `hubspot_deals`.close_date IS NOT NULL))
  AND (`hubspot_deals`.close_date >= TIMESTAMP('2024-01-01T00:00:00.000Z') AND `hubspot_deals`.close_date <= TIMESTAMP('2024-03-31T23:59:59.999Z'))
  AND `hubspot_deals`.close_date <= TIMESTAMP('2024-06-30T23:59:59.999Z')
GROUP BY `hubspot_deals`.stage
HAVING COUNT(*) > 2
ORDER BY `hubspot_deals__count` DESC, `hubspot_deals__stage` ASC
LIMIT 50 OFFSET 10
