SELECT
  TIMESTAMP(MAKEDATE(YEAR(`hubspot_deals`.close_date), 1) + INTERVAL (QUARTER(`hubspot_deals`.close_date) - 1) QUARTER) AS `hubspot_deals__close_date_quarter`,
  `hubspot_deals`.is_won AS `hubspot_deals__is_won`,
  COUNT(*) AS `hubspot_deals__count`
FROM crm.hubspot_deals AS `hubspot_deals`
WHERE `hubspot_deals`.close_date >= TIMESTAMP('2023-12-15 00:00:00.000') AND `hubspot_deals`.close_date <= TIMESTAMP('2024-03-15 23:59:59.999')
  AND `hubspot_deals`.close_date >= TIMESTAMP('2024-01-01 00:00:00.000') AND `hubspot_deals`.close_date <= TIMESTAMP('2024-12-31 23:59:59.999')
  AND `hubspot_deals`.is_won = TRUE
  AND `hubspot_deals`.stage LIKE '%back\\\\slash' ESCAPE '\\'
GROUP BY TIMESTAMP(MAKEDATE(YEAR(`hubspot_deals`.close_date), 1) + INTERVAL (QUARTER(`hubspot_deals`.close_date) - 1) QUARTER), `hubspot_deals`.is_won
ORDER BY `hubspot_deals__close_date_quarter` ASC
LIMIT 10000
