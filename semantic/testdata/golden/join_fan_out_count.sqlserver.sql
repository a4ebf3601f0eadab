SELECT
  [hubspot_deals].stage AS [hubspot_deals__stage],
  COUNT(DISTINCT [companies].id) AS [companies__count]
FROM (SELECT * FROM crm.companies WHERE NOT deleted) AS [companies]
LEFT JOIN crm.hubspot_deals AS [hubspot_deals] ON [companies].id = [hubspot_deals].company_id
WHERE [hubspot_deals].close_date >= CAST('2024-01-01T00:00:00.000' AS datetime2) AND [hubspot_deals].close_date <= CAST('2024-12-31T23:59:59.999' AS datetime2)
GROUP BY [hubspot_deals].stage
ORDER BY [companies__count] DESC
OFFSET 0 ROWS FETCH NEXT 10000 ROWS ONLY
