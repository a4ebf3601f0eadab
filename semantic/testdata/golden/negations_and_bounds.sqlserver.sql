SELECT
  [hubspot_deals].stage AS [hubspot_deals__stage],
  COUNT(*) AS [hubspot_deals__count],
  APPROX_COUNT_DISTINCT([hubspot_deals].owner) AS [hubspot_deals__approx_owners]
FROM crm.hubspot_deals AS [hubspot_deals]
WHERE (([hubspot_deals].owner NOT LIKE N'AL%' ESCAPE N'\' AND [hubspot_deals].owner NOT LIKE N'o''\_%' ESCAPE N'\') OR [hubspot_deals].owner IS NULL)
  AND ([hubspot_deals].owner NOT LIKE N'%\%son' ESCAPE N'\' AND [hubspot_deals].owner IS NOT NULL)
  AND [hubspot_deals].amount < 370.5
  AND [hubspot_deals].id <= 91
  AND ([hubspot_deals].close_date IS NULL OR ([hubspot_deals].close_date < CAST('2023-12-19T05:00:00.000' AS datetime2) OR [hubspot_deals].close_date > CAST('2024-02-04T04:59:59.999' AS datetime2)))
  AND [hubspot_deals].close_date >= CAST('2023-11-15T05:00:00.000' AS datetime2)
GROUP BY [hubspot_deals].stage
HAVING COUNT(*) <= 9
  AND APPROX_COUNT_DISTINCT([hubspot_deals].owner) < 4
ORDER BY [hubspot_deals__count] DESC
OFFSET 0 ROWS FETCH NEXT 10000 ROWS ONLY
