"""结对共建 and its 六联 activities: pages, API, export and demo (the Pair itself is org's)."""
