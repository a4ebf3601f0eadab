SELECT
  `companies`.industry AS `companies__industry`,
  SUM(`hubspot_deals`.amount) AS `hubspot_deals__amount`
FROM crm.hubspot_deals AS `hubspot_deals`
LEFT JOIN (SELECT * FROM crm.companies WHERE NOT deleted) AS `companies` ON `hubspot_deals`.company_id = `companies`.id
WHERE (`companies`.name <> 'Acme' OR `companies`.name IS NULL)
GROUP BY `companies`.industry
ORDER BY `hubspot_deals__amount` DESC
LIMIT 10000
