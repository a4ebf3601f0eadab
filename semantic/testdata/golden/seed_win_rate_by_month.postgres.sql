SELECT
  date_trunc('month', ("hubspot_deals".close_date::timestamptz AT TIME ZONE 'UTC')) AS "hubspot_deals__close_date_month",
  1.0 * (COUNT(CASE WHEN ("hubspot_deals".is_won) THEN 1 END)) / NULLIF((COUNT(CASE WHEN ("hubspot_deals".is_closed) THEN 1 END)), 0) AS "hubspot_deals__win_rate"
FROM crm.hubspot_deals AS "hubspot_deals"
GROUP BY date_trunc('month', ("hubspot_deals".close_date::timestamptz AT TIME ZONE 'UTC'))
LIMIT 2000
