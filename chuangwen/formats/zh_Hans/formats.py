"""Number formats for Chinese pages, over Django's zh_Hans ones: money and areas grouped by
thousands with a comma (2,380,000.00), as financial statements and budget tables in China
print them. Django's zh_Hans leaves the separator empty; only grouping that a template asks
for (``floatformat:"2g"``, ``intcomma``) uses it."""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
