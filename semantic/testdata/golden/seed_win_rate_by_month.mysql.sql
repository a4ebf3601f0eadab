SELECT
  TIMESTAMP(DATE_FORMAT(`hubspot_deals`.close_date, '%Y-%m-01 00:00:00')) AS `hubspot_deals__close_date_month`,
  1.0 * (COUNT(CASE WHEN (`hubspot_deals`.is_won) THEN 1 END)) / NULLIF((COUNT(CASE WHEN (`hubspot_deals`.is_closed) THEN 1 END)), 0) AS `hubspot_deals__win_rate`
FROM crm.hubspot_deals AS `hubspot_deals`
GROUP BY TIMESTAMP(DATE_FORMAT(`hubspot_deals`.close_date, '%Y-%m-01 00:00:00'))
LIMIT 2000
