SELECT
  DATETIME_TRUNC(DATETIME(`hubspot_deals`.close_date, 'America/Los_Angeles'), WEEK(MONDAY)) AS `hubspot_deals__close_date_week`,
  COUNT(*) AS `hubspot_deals__count`,
  SUM(`hubspot_deals`.amount) AS `hubspot_deals__amount`
FROM crm.hubspot_deals AS `hubspot_deals`
WHERE `hubspot_deals`.close_date >= TIMESTAMP('2024-03-08T08:00:00.000Z') AND `hubspot_deals`.close_date <= TIMESTAMP('2024-03-15T06:59:59.999Z')
GROUP BY DATETIME_TRUNC(DATETIME(`hubspot_deals`.close_date, 'America/Los_Angeles'), WEEK(MONDAY))
ORDER BY `hubspot_deals__close_date_week` ASC
LIMIT 10000
