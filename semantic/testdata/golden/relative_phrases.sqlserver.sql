SELECT
  DATEADD(quarter, DATEDIFF(quarter, 0, [hubspot_deals].close_date), CAST('1900-01-01' AS datetime2)) AS [hubspot_deals__close_date_quarter],
  [hubspot_deals].is_won AS [hubspot_deals__is_won],
  COUNT(*) AS [hubspot_deals__count]
FROM crm.hubspot_deals AS [hubspot_deals]
WHERE [hubspot_deals].close_date >= CAST('2023-12-15T00:00:00.000' AS datetime2) AND [hubspot_deals].close_date <= CAST('2024-03-15T23:59:59.999' AS datetime2)
  AND [hubspot_deals].close_date >= CAST('2024-01-01T00:00:00.000' AS datetime2) AND [hubspot_deals].close_date <= CAST('2024-12-31T23:59:59.999' AS datetime2)
  AND [hubspot_deals].is_won = 1
  AND [hubspot_deals].stage LIKE N'%back\\slash' ESCAPE N'\'
GROUP BY DATEADD(quarter, DATEDIFF(quarter, 0, [hubspot_deals].close_date), CAST('1900-01-01' AS datetime2)), [hubspot_deals].is_won
ORDER BY [hubspot_deals__close_date_quarter] ASC
OFFSET 0 ROWS FETCH NEXT 10000 ROWS ONLY
