# Collections (#8): navigation shared by every page of the section.
nav-collections = Collections
collections-title = Collections
collections-overview = Dashboard
collections-payments = Payments
collections-matching = Matching
collections-statements = Bank statements
collections-dunning = Dunning
collections-bank-accounts = Bank accounts
