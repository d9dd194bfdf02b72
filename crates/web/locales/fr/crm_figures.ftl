# La carte d'un compte, le foisonnement et le pipeline en jours couverts.
account-map-title = Carte du compte
account-map-tree = Opportunités et missions
account-map-empty = Aucune opportunité sur ce compte.
account-map-tjm = TJM
account-map-meeting = RDV de suivi du
account-map-other-missions = Missions sans opportunité

pipeline-title = Pipeline en jours couverts
pipeline-definition = Jours couverts = somme, sur les opportunités ouvertes démarrant dans les 90 jours (celles déjà commencées comprises), des jours restants × postes × probabilité : 2 postes × 40 jours à 30 % = 24 jours couverts. Valeur : CA attendu ; valeur pondérée : CA attendu × probabilité. Jours libérés : jours ouvrés, jusqu'à l'horizon, des consultants dont la mission finit dans les 90 jours sans renouvellement (à partir du lendemain de sa fin) et de ceux en intercontrat (à partir de demain).
pipeline-covered = Jours couverts
pipeline-free-days = Jours libérés
pipeline-chart-title = Jours couverts et jours libérés par mois
pipeline-chart-how = Chaque mois : les jours couverts des besoins qui démarrent ce mois-là (déjà commencés : le mois en cours) face aux jours libérés des consultants qui se libèrent ce mois-là.
pipeline-by-bm = Par business manager
pipeline-by-account = Par compte
pipeline-by-agency = Par agence
pipeline-no-agency = Sans agence
pipeline-group = Nom
pipeline-count = Opportunités
pipeline-empty = Rien sur ces 90 jours.
pipeline-lines = Opportunités comptées
pipeline-remaining = Jours restants par poste
pipeline-agency = Agence

foisonnement-title = Foisonnement
foisonnement-definition = Opportunités filles nées en RDV de suivi (créées depuis la note d'un RDV, ou de source « RDV de suivi »), comptées à leur date de création. Valeur : leur CA attendu. Taux de conversion = gagnées ÷ clôturées (gagnées + perdues) : celles encore ouvertes n'y entrent pas ; pas de taux tant qu'aucune n'est clôturée.
foisonnement-from = Du
foisonnement-to = Au
foisonnement-total = Total
foisonnement-by-account = Par compte
foisonnement-by-bm = Par business manager
foisonnement-born = Nées en RDV
foisonnement-born-value = Valeur née
foisonnement-won = Gagnées
foisonnement-won-value = Valeur gagnée
foisonnement-lost = Perdues
foisonnement-open = Ouvertes
foisonnement-conversion = Conversion (gagnées ÷ clôturées)
foisonnement-empty = Aucune opportunité née en RDV de suivi sur la période.
foisonnement-col-group = Regroupement
foisonnement-period-order = La date de début doit précéder la date de fin.

forecast-pipeline-title = Opportunités démarrant dans la fenêtre (pondérées)
forecast-pipeline-how = CA attendu × probabilité des opportunités ouvertes qui démarrent dans la fenêtre, à part des missions signées. La marge n'est comptée que là où le coût des jours est connu (un renouvellement garde son consultant) ; ailleurs, seul le CA est montré.
forecast-pipeline-count = Opportunités
forecast-pipeline-revenue = CA pondéré
forecast-pipeline-margin = Marge pondérée (coût connu)
forecast-pipeline-without-cost = CA pondéré sans coût connu (pas de marge comptée)
pipeline-link = Pipeline en jours couverts
pipeline-other-accounts = { $count } autres comptes
pipeline-lines-shown = Les { $shown } premières à démarrer, sur { $count } : toutes sont dans l'export CSV.
