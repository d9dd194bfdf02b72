# Congés : mes congés, validation par les managers, paramètres

nav-leave = Congés
nav-leave-team = Congés de l'équipe
nav-leave-settings = Paramètres des congés

leave-title = Mes congés
leave-team-title = Congés de l'équipe
leave-settings-title = Paramètres des congés

leave-balances = Mes soldes { $year }
leave-balances-caption = Soldes en jours ouvrés ; les demi-journées s'écrivent ,5.
leave-no-balance = Aucun droit à congés n'est saisi pour cette année.
leave-type = Type de congé
leave-acquired = Acquis
leave-taken = Pris
leave-planned = Planifiés
leave-pending = En attente
leave-remaining = Restant
leave-available = Disponible
leave-chart-title = Soldes de congés de l'année, en jours
leave-chart-total = { $remaining } j restant(s) sur { $acquired }
leave-balance-left = Solde restant { $year } : { $remaining } j

leave-new = Nouvelle demande
leave-start = Premier jour
leave-start-half = À partir du
leave-end = Dernier jour
leave-end-half = Jusqu'au
leave-from-morning = matin
leave-from-afternoon = après-midi
leave-until-noon = midi
leave-until-evening = soir
leave-comment = Commentaire
leave-submit = Envoyer la demande
leave-days-hint = Les jours sont comptés sur vos jours travaillés : week-ends, jours fériés et jours non travaillés à temps partiel ne sont pas décomptés.
leave-period-range = du { $start } au { $end }

leave-my-requests = Mes demandes
leave-no-request = Aucune demande de congé.
leave-period = Période
leave-days = Jours
leave-status = Statut
leave-decision = Décision
leave-actions = Actions
leave-cancel = Annuler la demande
leave-who = Collaborateur

leave-requested = Votre demande de congé a été envoyée.
leave-cancelled = La demande de congé a été annulée.
leave-approved = La demande de congé a été approuvée.
leave-refused = La demande de congé a été refusée.

leave-filter-default = En attente et décisions récentes
leave-awaiting = Demandes à valider
leave-nothing-awaiting = Aucune demande en attente.
leave-recent-decisions = Décisions récentes
leave-decisions = Demandes
leave-approve = Approuver
leave-refuse = Refuser
leave-refusal-reason = Motif du refus

leave-types = Types de congé
leave-type-form = Ajouter ou modifier un type
leave-type-code = Code
leave-type-code-hint = Minuscules, chiffres et _ ; un code existant est mis à jour.
leave-type-label-fr = Libellé français
leave-type-label-en = Libellé anglais
leave-type-tracks = Décompté d'un solde
leave-type-active = Actif
leave-type-inactive = Inactif
leave-type-saved = Le type de congé a été enregistré.

leave-allowances = Droits annuels { $year }
leave-allowance-form = Fixer un droit annuel
leave-allowance-year = Année
leave-allowance-days = Jours acquis
leave-allowance-days-hint = Par exemple 25 ou 2,5
leave-no-allowance = Aucun droit saisi pour cette année.
leave-allowance-saved = Le droit annuel a été enregistré.

leave-patterns = Rythmes de travail
leave-patterns-help = Le site détermine les jours fériés (26 décembre et Vendredi saint en Alsace-Moselle) ; les jours cochés sont ceux travaillés. Les congés ne sont décomptés que sur ces jours.
leave-pattern-form = Modifier un rythme de travail
leave-pattern-region = Site
leave-pattern-weekdays = Jours travaillés
leave-pattern-ratio = Temps de travail
leave-pattern-ratio-hint = Chaque jour coché compte pour 20 % : quatre jours font un temps partiel à 80 %.
leave-pattern-saved = Le rythme de travail a été enregistré.
leave-region-standard = Standard
leave-region-alsace-moselle = Site en Alsace-Moselle
leave-weekday-1 = Lundi
leave-weekday-2 = Mardi
leave-weekday-3 = Mercredi
leave-weekday-4 = Jeudi
leave-weekday-5 = Vendredi
leave-weekday-short-1 = lun.
leave-weekday-short-2 = mar.
leave-weekday-short-3 = mer.
leave-weekday-short-4 = jeu.
leave-weekday-short-5 = ven.

leave-status-requested = Demandé
leave-status-approved = Approuvé
leave-status-refused = Refusé
leave-status-cancelled = Annulé

leave-end-before-start = Le dernier jour précède le premier.
leave-empty-half = Sur une seule journée, un congé commençant l'après-midi ne peut pas finir à midi.
leave-too-long = Une demande couvre au plus un an : vérifiez l'année saisie.
leave-type-unknown = Choisissez un type de congé actif.
leave-no-working-day = Cette période ne contient aucun jour travaillé (week-end, jour férié ou jour non travaillé).
leave-overlaps-other = Cette période chevauche une autre de vos demandes en cours ou approuvées.
leave-overlaps-signed-cra = Le CRA de { $month } est déjà signé : il doit être rouvert avant d'y poser ce congé.
leave-already-decided = Cette demande a déjà été traitée.
leave-refusal-reason-required = Indiquez le motif du refus.
leave-own-decision = Vous ne pouvez pas statuer sur votre propre demande : un autre responsable doit le faire.
leave-type-code-invalid = Le code compte 1 à 20 caractères : minuscules sans accent, chiffres ou _.
leave-user-unknown = Choisissez un collaborateur actif.
leave-year-invalid = Saisissez une année entre 2000 et 2100.
leave-allowance-too-large = Un droit annuel ne dépasse pas 366 jours.
leave-region-invalid = Choisissez un site.
leave-pattern-no-weekday = Cochez au moins un jour travaillé.
