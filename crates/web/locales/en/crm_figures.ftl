# An account's map, account growth and the pipeline in covered days.
account-map-title = Account map
account-map-tree = Opportunities and missions
account-map-empty = No opportunity on this account.
account-map-tjm = Daily rate
account-map-meeting = Follow-up meeting of
account-map-other-missions = Missions without an opportunity

pipeline-title = Pipeline in covered days
pipeline-definition = Covered days = the sum, over the open opportunities starting within 90 days (those already started included), of remaining days × positions × probability: 2 positions × 40 days at 30 % = 24 covered days. Value: expected revenue; weighted value: expected revenue × probability. Days becoming free: working days, up to the horizon, of the consultants whose mission ends within 90 days without a renewal (from the day after its end) and of those on the bench (from tomorrow).
pipeline-covered = Covered days
pipeline-free-days = Days becoming free
pipeline-chart-title = Covered days and days becoming free per month
pipeline-chart-how = Each month: the covered days of the needs starting that month (already started: the current month) against the free days of the consultants becoming free that month.
pipeline-by-bm = By business manager
pipeline-by-account = By account
pipeline-by-agency = By agency
pipeline-no-agency = No agency
pipeline-group = Name
pipeline-count = Opportunities
pipeline-empty = Nothing over these 90 days.
pipeline-lines = Opportunities counted
pipeline-remaining = Remaining days per position
pipeline-agency = Agency

foisonnement-title = Account growth
foisonnement-definition = Child opportunities born in follow-up meetings (created from a meeting's note, or with the source "follow-up meeting"), counted on their creation date. Value: their expected revenue. Conversion rate = won ÷ closed (won + lost): those still open are left out; no rate while none is closed.
foisonnement-from = From
foisonnement-to = To
foisonnement-total = Total
foisonnement-by-account = By account
foisonnement-by-bm = By business manager
foisonnement-born = Born in meetings
foisonnement-born-value = Value born
foisonnement-won = Won
foisonnement-won-value = Value won
foisonnement-lost = Lost
foisonnement-open = Open
foisonnement-conversion = Conversion (won ÷ closed)
foisonnement-empty = No opportunity born in a follow-up meeting over the period.
foisonnement-col-group = Grouping
foisonnement-period-order = The start date must come before the end date.

forecast-pipeline-title = Opportunities starting in the window (weighted)
forecast-pipeline-how = Expected revenue × probability of the open opportunities starting in the window, apart from the signed missions. Margin is counted only where the cost of the days is known (a renewal keeps its consultant); elsewhere, revenue only is shown.
forecast-pipeline-count = Opportunities
forecast-pipeline-revenue = Weighted revenue
forecast-pipeline-margin = Weighted margin (known cost)
forecast-pipeline-without-cost = Weighted revenue without a known cost (no margin counted)
pipeline-link = Pipeline in covered days
pipeline-other-accounts = { $count } other accounts
pipeline-lines-shown = The first { $shown } to start, of { $count }: the CSV export has them all.
