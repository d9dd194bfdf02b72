# Encaissements (#8): navigation shared by every page of the section.
nav-collections = Encaissements
collections-title = Encaissements
collections-overview = Tableau de bord
collections-payments = Règlements
collections-matching = Rapprochement
collections-statements = Relevés bancaires
collections-dunning = Relances
collections-bank-accounts = Comptes bancaires
