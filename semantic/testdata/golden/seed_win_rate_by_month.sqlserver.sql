SELECT
  DATEADD(month, DATEDIFF(month, 0, [hubspot_deals].close_date), CAST('1900-01-01' AS datetime2)) AS [hubspot_deals__close_date_month],
  1.0 * (COUNT(CASE WHEN ([hubspot_deals].is_won) THEN 1 END)) / NULLIF((COUNT(CASE WHEN ([hubspot_deals].is_closed) THEN 1 END)), 0) AS [hubspot_deals__win_rate]
FROM crm.hubspot_deals AS [hubspot_deals]
GROUP BY DATEADD(month, DATEDIFF(month, 0, [hubspot_deals].close_date), CAST('1900-01-01' AS datetime2))
ORDER BY (SELECT NULL)
OFFSET 0 ROWS FETCH NEXT 2000 ROWS ONLY
