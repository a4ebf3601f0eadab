SELECT
  TIMESTAMP(DATE_SUB(DATE(CONVERT_TZ(`hubspot_deals`.close_date, '+00:00', '-07:00')), INTERVAL WEEKDAY(CONVERT_TZ(`hubspot_deals`.close_date, '+00:00', '-07:00')) DAY)) AS `hubspot_deals__close_date_week`,
  COUNT(*) AS `hubspot_deals__count`,
  SUM(`hubspot_deals`.amount) AS `hubspot_deals__amount`
FROM crm.hubspot_deals AS `hubspot_deals`
WHERE `hubspot_deals`.close_date >= TIMESTAMP('2024-03-08 08:00:00.000') AND `hubspot_deals`.close_date <= TIMESTAMP('2024-03-15 06:59:59.999')
GROUP BY TIMESTAMP(DATE_SUB(DATE(CONVERT_TZ(`hubspot_deals`.close_date, '+00:00', '-07:00')), INTERVAL WEEKDAY(CONVERT_TZ(`hubspot_deals`.close_date, '+00:00', '-07:00')) DAY))
ORDER BY `hubspot_deals__close_date_week` ASC
LIMIT 10000
