# Régisseur — English catalogue

skip-to-content = Skip to content
nav-label = Main navigation
nav-home = Home
nav-companies = Companies
nav-contacts = Contacts
nav-users = Users
nav-api = API
nav-account = My account
nav-menu = Menu
nav-group-commerce = Sales
nav-group-delivery = Delivery
nav-group-billing = Invoicing
nav-group-treasury = Treasury
nav-group-accounting = Accounting
nav-group-admin = Administration
nav-invoices-waiting = Waiting for signature
nav-portal-invoices = Invoices
nav-matching = Matching
nav-payments = Payments
nav-logout = Sign out
language-label = Language

role-admin = Administrator
role-direction = Management
role-business-manager = Business manager
role-delivery-manager = Delivery manager
role-recruiter = Recruiter
role-finance = Finance
role-consultant = Consultant
role-client-contact = Client contact

home-title = Home
home-welcome = Hello { $name }
home-figures = Key figures
home-todo = To do
home-tile-drafts = Drafts to issue
home-tile-to-match = Statement lines to match
home-tile-fae = Accrued revenue at stake (invoices held)
home-tile-invoices-count = { $count ->
    [one] 1 invoice
   *[other] { $count } invoices
}
home-tile-revenue-month = Revenue invoiced (excl. VAT) — { $month }
home-tile-revenue-year = Revenue invoiced (excl. VAT) — { $year } to date
home-tile-last-year = A year earlier: { $total }
home-tile-my-late-cras = Reports missing on my missions
home-tile-renewals = Renewals to handle (60 days)
home-tile-waiting = Invoices waiting for a signature
home-tile-cras-to-validate = Reports to validate
home-tile-late-cras = Late reports
home-tile-leave-to-approve = Leave to approve
home-tile-dso = DSO (3 months)
home-tile-days = { $days } days
home-tile-jobs-failed = Background jobs in error
home-tile-my-cra = My report for { $month }
home-tile-cra-none = To fill in
home-tile-my-leave = My leave requests pending
home-tile-to-sign = Documents to sign
home-tile-invoices-due = Invoices to pay
home-tile-overdue = Overdue invoices
home-count-users = Active users

list-search = Search
list-all = All
list-filter = Filter
list-empty = No results.
list-total = { $count } result(s)
list-total-more = More than { $count } results
list-prev = ← Previous
list-pages = Pages
picker-client-hint = Client's name…
list-next = Next →

companies-title = Companies
companies-new = New company
companies-edit = Edit company
companies-search-hint = Name, SIREN, city…
company-name = Company name
company-kind = Type
company-kind-client = Client
company-kind-prospect = Prospect
company-kind-supplier = Supplier
company-legal-form = Legal form
company-siren = SIREN
company-siren-hint = 9 digits
company-siret = Head-office SIRET
company-siret-hint = 14 digits
company-vat = EU VAT number
company-vat-hint = FR + key + SIREN
company-key-account = Key account (signed contract required before invoicing)
company-key-account-badge = Key account
company-identity = Identity
company-address = Address
company-address-line1 = Address
company-address-line2 = Address line 2
company-postcode = Postcode
company-city = City
company-country = Country
company-country-hint = 2-letter ISO code (FR)
company-contact-billing = Contact and payment
company-email = E-mail
company-phone = Phone
company-iban = IBAN
company-notes = Notes
company-created = The company was created.
company-updated = The company was updated.
record-updated = Last changed
history-title = History
history-create = Created by { $who } on { $when }
history-update = Changed by { $who } on { $when }
history-change_password = Password changed by { $who } on { $when }
history-revoke = Revoked by { $who } on { $when }

contacts-title = Contacts
contacts-new = New contact
contacts-edit = Edit contact
contacts-search-hint = Name, e-mail, job title…
contact-identity = Contact
contact-name = Name
contact-first-name = First name
contact-last-name = Last name
contact-company = Company
contact-role = Role
contact-email = E-mail
contact-phone = Phone
contact-job-title = Job title
contact-role-buyer = Buyer
contact-role-domain-manager = Domain manager
contact-role-accounts-payable = Accounts payable
contact-role-operational = Operational
contact-role-other = Other
contact-created = The contact was created.
contact-updated = The contact was updated.

users-title = Users
users-new = Invite a user
users-edit = Edit user
users-search-hint = Name or e-mail…
user-identity = Account
user-name = Display name
user-email = E-mail
user-role = Role
user-company = Client company
user-company-hint = Required for a client contact, not allowed for other roles.
user-last-login = Last sign-in
user-inactive = Disabled
user-locale = Language
user-locale-auto = From the browser
user-password = Password
user-new-password = New password
user-active = Active account
user-created = The user was created.
user-updated = The user was updated.
password-hint = At least 12 characters; a passphrase is safer than a complicated word.

form-has-errors = The form has errors: please correct the highlighted fields.
form-save = Save
form-cancel = Cancel
form-edit = Edit

account-title = My account
account-password = Password
account-current-password = Current password
account-confirm-password = Confirm the new password
account-change-password = Change password
account-revoke-tokens = Also revoke all my API tokens
account-revoke-tokens-hint = Unticked, your API tokens stay valid: changing the password does not touch them. Tick it if your password may have been compromised.
account-current-password-wrong = The current password is wrong.
account-passwords-differ = The two passwords differ.
account-password-changed = Your password was changed; your other sessions were signed out.
account-tokens = API tokens
account-tokens-intro = A token lets a program use the API on your behalf, with your rights. It is shown only once.
account-token-created = Here is your new token. Copy it now: it will not be shown again.
account-token-name = Token name
account-token-prefix = Starts with
account-token-created-at = Created
account-token-last-used = Last used
account-token-revoked = Revoked
account-token-revoke = Revoke
account-token-create = Create a token
account-token-revoked-flash = The token was revoked.

login-title = Sign in
login-email = E-mail
login-password = Password
login-submit = Sign in
login-failed = Incorrect credentials.
login-throttled = Too many sign-in attempts. Try again in a few minutes.

api-docs-title = API
api-docs-intro = The JSON API is described by an OpenAPI 3.1 document. Authenticate with a token created under "My account". Errors are problem+json documents (RFC 9457) naming the refused fields.

error-back-home = Back to home
error-not-found = Page not found
error-not-found-detail = The page does not exist or you cannot access it.
error-forbidden = Access denied
error-forbidden-detail = Your role does not allow opening this page.
error-unauthenticated = Sign-in required
error-unauthenticated-detail = Sign in to continue.
error-csrf = Session expired
error-csrf-detail = The form expired. Reload the page and try again.
error-too-many-requests = Too many requests
error-too-many-requests-detail = Wait a few minutes before trying again.
error-bad-request = Bad request
error-bad-request-detail = The request could not be understood.
error-validation = Invalid data
error-validation-detail = Some fields are invalid.
error-payload-too-large = Payload too large
error-payload-too-large-detail = The content sent exceeds the allowed size.
error-unsupported-media-type = Unsupported media type
error-unsupported-media-type-detail = Send JSON (Content-Type: application/json) or a form.
error-method-not-allowed = Method not allowed
error-method-not-allowed-detail = This address does not accept this method.
error-unavailable = Service unavailable
error-unavailable-detail = The service is temporarily unavailable. Try again in a moment.
error-internal = Internal error
error-internal-detail = An unexpected error occurred; it has been logged.
error-malformed-form = The submitted form is malformed.
error-malformed-query = The query parameters are invalid.
error-json-shape = The JSON does not match the expected shape (missing, unknown or mistyped field).
error-malformed-json = The request body is not valid JSON.
error-bad-locale = Unknown language.
json-field-missing = This field is required in the JSON body.
json-field-unknown = This field is not expected here.
json-field-invalid = This value has the wrong type or form.
query-field-malformed = This query parameter is malformed or repeated.
page-invalid = The page number must be a whole number from 1 to { $max }.
per-page-invalid = The page size must be a whole number from { $min } to { $max }.

field-required = This field is required.
field-too-long = At most { $max } characters.
field-control-characters = This field contains characters that are not allowed.
company-kind-invalid = Unknown company type.
company-unknown = Unknown company.
contact-role-invalid = Unknown contact role.
role-invalid = Unknown role.
locale-invalid = Unknown language.
user-company-required = A client contact must belong to a client company.
user-company-forbidden = Only a client contact belongs to a company.
user-cannot-demote-self = You cannot remove your own administrator role or disable your own account.
user-role-live-missions = This consultant has { $count ->
        [one] { $count } running or upcoming mission: end it or give it
       *[other] { $count } running or upcoming missions: end them or give them
    } to another consultant before changing the role.
user-role-open-reports = This consultant has { $count ->
        [one] { $count } activity report being validated: have it validated
       *[other] { $count } activity reports being validated: have them validated
    } before changing the role.
user-role-managed-missions = This account manages { $count ->
        [one] { $count } running or upcoming mission: give it
       *[other] { $count } running or upcoming missions: give them
    } to another manager before changing the role.
user-role-employee-records = This account holds { $count ->
        [one] { $count } activity report or leave request
       *[other] { $count } activity reports or leave requests
    } of an employee: it cannot become a client contact. Create a separate account for the contact.
password-too-short = The password must be at least { $min } characters long.
password-too-long = The password must be at most { $max } characters long.
country-invalid = Invalid country code: two letters, e.g. FR.
postcode-invalid = Invalid postcode (5 digits in France).
phone-invalid = Invalid phone number.
siret-siren-mismatch = This SIRET does not belong to this SIREN (its first 9 digits must be the SIREN).
vat-siren-mismatch = This VAT number does not match the SIREN entered.
siren-taken = A company with this SIREN already exists.
email-taken = This e-mail is already used by another account.
value-taken = This value is already used.

id-empty = This field is empty.
id-wrong-length = Wrong length: { $expected } characters expected, { $found } entered.
    .siren = Invalid SIREN: it must have { $expected } digits ({ $found } entered).
    .siret = Invalid SIRET: it must have { $expected } digits ({ $found } entered).
    .vat_number = Invalid VAT number: { $expected } characters expected ({ $found } entered).
    .iban = Invalid IBAN: { $expected } characters expected for this country ({ $found } entered).
id-not-digits = Only digits are expected.
    .siren = Invalid SIREN: only digits are allowed.
    .siret = Invalid SIRET: only digits are allowed.
id-checksum = The check digit is wrong.
    .siren = Invalid SIREN: the check digit (Luhn) is wrong.
    .siret = Invalid SIRET: the check digit (Luhn) is wrong.
    .iban = Invalid IBAN: the check digits (mod 97) are wrong.
id-wrong-country = A French (FR…) or other EU member state VAT number is expected ({ $found } entered).
id-invalid-siren = Invalid VAT number: the SIREN inside it is wrong.
    .siret = Invalid SIRET: its first 9 digits are not a valid SIREN.
id-invalid-key = Invalid VAT number: the key must be 2 digits.
id-wrong-key = Invalid VAT number: the key does not match the SIREN (expected key { $expected }).
id-invalid-characters = This field contains characters that are not allowed.
id-unknown-country = Invalid IBAN: it must start with the country code (2 letters).
id-invalid-email = Invalid e-mail address.

money-empty = Enter an amount.
money-invalid = Invalid amount.
money-too-many-decimals = At most two decimals.
money-overflow = Amount too large.

# Empty lists that are not search results: say what is missing.
empty-attachments = No attachments.
empty-jobs = No recent jobs.
empty-emails = No e-mails sent.
empty-company-contacts = No contacts for this company.
empty-company-contracts = No framework contract for this client.
empty-renewals = No renewals to handle.
empty-mission-documents = No documents for this mission.
empty-leave-decided = No decided requests.
