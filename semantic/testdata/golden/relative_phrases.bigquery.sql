SELECT
  DATETIME_TRUNC(DATETIME(`hubspot_deals`.close_date, 'UTC'), QUARTER) AS `hubspot_deals__close_date_quarter`,
  `hubspot_deals`.is_won AS `hubspot_deals__is_won`,
  COUNT(*) AS `hubspot_deals__count`
FROM crm.hubspot_deals AS `hubspot_deals`
WHERE `hubspot_deals`.close_date >= TIMESTAMP('2023-12-15T00:00:00.000Z') AND `hubspot_deals`.close_date <= TIMESTAMP('2024-03-15T23:59:59.999Z')
  AND `hubspot_deals`.close_date >= TIMESTAMP('2024-01-01T00:00:00.000Z') AND `hubspot_deals`.close_date <= TIMESTAMP('2024-12-31T23:59:59.999Z')
  AND `hubspot_deals`.is_won = TRUE
  AND LOWER(`hubspot_deals`.stage) LIKE '%back\\\\slash'
GROUP BY DATETIME_TRUNC(DATETIME(`hubspot_deals`.close_date, 'UTC'), QUARTER), `hubspot_deals`.is_won
ORDER BY `hubspot_deals__close_date_quarter` ASC
LIMIT 10000
