SELECT
  DATEADD(day, (DATEDIFF(day, 0, DATEADD(minute, -420, [hubspot_deals].close_date)) / 7) * 7, CAST('1900-01-01' AS datetime2)) AS [hubspot_deals__close_date_week],
  COUNT(*) AS [hubspot_deals__count],
  SUM([hubspot_deals].amount) AS [hubspot_deals__amount]
FROM crm.hubspot_deals AS [hubspot_deals]
WHERE [hubspot_deals].close_date >= CAST('2024-03-08T08:00:00.000' AS datetime2) AND [hubspot_deals].close_date <= CAST('2024-03-15T06:59:59.999' AS datetime2)
GROUP BY DATEADD(day, (DATEDIFF(day, 0, DATEADD(minute, -420, [hubspot_deals].close_date)) / 7) * 7, CAST('1900-01-01' AS datetime2))
ORDER BY [hubspot_deals__close_date_week] ASC
OFFSET 0 ROWS FETCH NEXT 10000 ROWS ONLY
