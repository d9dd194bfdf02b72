# Leave: my leave, approval by managers, settings

nav-leave = Leave
nav-leave-team = Team leave
nav-leave-settings = Leave settings

leave-title = My leave
leave-team-title = Team leave
leave-settings-title = Leave settings

leave-balances = My balances { $year }
leave-balances-caption = Balances in working days; half days are written .5.
leave-no-balance = No leave allowance is set for this year.
leave-type = Leave type
leave-acquired = Acquired
leave-taken = Taken
leave-planned = Planned
leave-pending = Pending
leave-remaining = Remaining
leave-available = Available
leave-chart-title = Leave balances of the year, in days
leave-chart-total = { $remaining } d left of { $acquired }
leave-balance-left = Balance left { $year }: { $remaining } d

leave-new = New request
leave-start = First day
leave-start-half = From the
leave-end = Last day
leave-end-half = Until
leave-from-morning = morning
leave-from-afternoon = afternoon
leave-until-noon = noon
leave-until-evening = evening
leave-comment = Comment
leave-submit = Send the request
leave-days-hint = Days are counted on your working days: weekends, public holidays and part-time days off are not counted.
leave-period-range = from { $start } to { $end }

leave-my-requests = My requests
leave-no-request = No leave request.
leave-period = Period
leave-days = Days
leave-status = Status
leave-decision = Decision
leave-actions = Actions
leave-cancel = Cancel the request
leave-who = Employee

leave-requested = Your leave request was sent.
leave-cancelled = The leave request was cancelled.
leave-approved = The leave request was approved.
leave-refused = The leave request was refused.

leave-filter-default = Pending and recent decisions
leave-awaiting = Requests to decide
leave-nothing-awaiting = No request is waiting.
leave-recent-decisions = Recent decisions
leave-decisions = Requests
leave-approve = Approve
leave-refuse = Refuse
leave-refusal-reason = Reason for refusal

leave-types = Leave types
leave-type-form = Add or change a type
leave-type-code = Code
leave-type-code-hint = Lowercase letters, digits and _; an existing code is updated.
leave-type-label-fr = French label
leave-type-label-en = English label
leave-type-tracks = Counted against an allowance
leave-type-active = Active
leave-type-inactive = Inactive
leave-type-saved = The leave type was saved.

leave-allowances = Yearly allowances { $year }
leave-allowance-form = Set a yearly allowance
leave-allowance-year = Year
leave-allowance-days = Days acquired
leave-allowance-days-hint = For example 25 or 2.5
leave-no-allowance = No allowance set for this year.
leave-allowance-saved = The yearly allowance was saved.

leave-patterns = Work patterns
leave-patterns-help = The site sets the public holidays (26 December and Good Friday in Alsace-Moselle); checked days are worked. Leave is only counted on those days.
leave-pattern-form = Change a work pattern
leave-pattern-region = Site
leave-pattern-weekdays = Days worked
leave-pattern-ratio = Working time
leave-pattern-ratio-hint = Each checked day counts for 20%: four days make 80% part time.
leave-pattern-saved = The work pattern was saved.
leave-region-standard = Standard
leave-region-alsace-moselle = Site in Alsace-Moselle
leave-weekday-1 = Monday
leave-weekday-2 = Tuesday
leave-weekday-3 = Wednesday
leave-weekday-4 = Thursday
leave-weekday-5 = Friday
leave-weekday-short-1 = Mon
leave-weekday-short-2 = Tue
leave-weekday-short-3 = Wed
leave-weekday-short-4 = Thu
leave-weekday-short-5 = Fri

leave-status-requested = Requested
leave-status-approved = Approved
leave-status-refused = Refused
leave-status-cancelled = Cancelled

leave-end-before-start = The last day is before the first.
leave-empty-half = On a single day, leave starting in the afternoon cannot end at noon.
leave-too-long = A request covers one year at most: check the year typed.
leave-type-unknown = Choose an active leave type.
leave-no-working-day = This period holds no working day (weekend, public holiday or day not worked).
leave-overlaps-other = This period overlaps another of your pending or approved requests.
leave-overlaps-signed-cra = The activity report of { $month } is already signed: it must be reopened before this leave can go in.
leave-already-decided = This request has already been dealt with.
leave-refusal-reason-required = Give the reason for the refusal.
leave-own-decision = You cannot decide on your own request: another manager must do it.
leave-type-code-invalid = The code has 1 to 20 characters: lowercase letters without accents, digits or _.
leave-user-unknown = Choose an active employee.
leave-year-invalid = Type a year between 2000 and 2100.
leave-allowance-too-large = A yearly allowance is at most 366 days.
leave-region-invalid = Choose a site.
leave-pattern-no-weekday = Tick at least one day worked.
