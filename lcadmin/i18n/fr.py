"""French wording: the seed's own words. ``{vendor}`` is the vendor's name; ``**x**`` is bold."""

MESSAGES: dict[str, str] = {
    "app.name": "{vendor} Admin Center",
    "nav.skip": "Aller au contenu",
    "language.label": "Langue",
    "color_mode.toggle": "Basculer entre le thème clair et le thème sombre",
    "cta.access_billing": "Accéder à la facturation",
    "home.eyebrow": "Centre d'aide · Facturation",
    "home.title": "Activer la gestion de la facturation dans le {vendor} Admin Center",
    "home.lead": (
        "Accédez à vos contrats, à vos commandes et à vos factures, et gérez vos modes de paiement, "
        "vos licences et vos autorisations au même endroit."
    ),
    "home.how": "Comment procéder ?",
    "home.step1": (
        "Rendez-vous sur le {vendor} Admin Center et sélectionnez le bouton "
        "**« Accéder à la facturation »** en haut de la page."
    ),
    "home.step2": (
        "Saisissez votre **adresse e-mail professionnelle**. Ce n'est pas forcément celle que vous "
        "utilisez pour votre profil {vendor} personnel, mais plutôt celle qui est associée à votre "
        "entreprise."
    ),
    "home.step2.important": (
        "**Important :** si vous **n'êtes pas** le contact principal ou de facturation de votre "
        "entreprise, vous devez saisir un numéro de commande ou de facture, ainsi que le sous-total "
        "ou le total correspondant, pour vérifier que vous avez l'autorisation d'accéder aux contrats."
    ),
    "home.tip": "Conseil de pro",
    "home.tip1": (
        "Ces informations se trouvent sur les factures ou commandes que vous avez reçues par e-mail. "
        "Le sous-total ou le total de la commande ou de la facture ne peut pas être de 0 €. Si "
        "l'opération réussit, un écran s'affiche vous invitant à consulter votre messagerie pour "
        "trouver l'e-mail de confirmation."
    ),
    "home.step3": (
        "Vous recevrez un e-mail ayant pour objet **« Bienvenue dans le {vendor} Admin Center »**. "
        "Après avoir ouvert l'e-mail, cliquez sur **« Activer mon compte »** pour accéder à la page "
        "d'identification de {vendor}. Si vous ne trouvez pas cet e-mail, vérifiez vos spams."
    ),
    "home.tip2": (
        "Si vous gérez déjà des utilisateurs et des licences dans le {vendor} Admin Center, **vous "
        "ne recevrez pas d'e-mail**. Il vous suffit de vous connecter pour voir les nouvelles "
        "fonctionnalités de gestion de la facturation."
    ),
    "home.step4": (
        "Sur la page d'identification de {vendor}, **connectez-vous à votre compte** ou sélectionnez "
        "**« S'inscrire »** si vous n'êtes pas encore membre."
    ),
    "home.step4.important": (
        "**Important :** votre compte personnel peut utiliser une adresse e-mail différente de celle "
        "de votre entreprise que vous avez utilisée pour activer le {vendor} Admin Center."
    ),
    "home.step5": (
        "Cliquez sur **« Accepter et continuer »** pour finaliser le processus d'activation et "
        "accéder au {vendor} Admin Center."
    ),
    "home.benefits.title": "Vous pouvez commencer à utiliser le {vendor} Admin Center",
    "home.benefit.contracts": "Accédez à vos contrats et à vos commandes",
    "home.benefit.invoices": "Téléchargez vos factures instantanément",
    "home.benefit.payment": "Mettez à jour vos modes de paiement plus efficacement",
    "home.benefit.licences": "Gérez toutes vos licences et autorisations {vendor}",
    "footer.legal": "{vendor_legal_name} · SIREN {vendor_siren} · TVA {vendor_vat} · {vendor_address}",
    # Access form
    "access.title": "Gérer la facturation dans le {vendor} Admin Center",
    "access.subtitle": "Saisissez votre adresse e-mail professionnelle pour commencer à utiliser {vendor} Admin Center",
    "access.email.label": "Adresse e-mail professionnelle",
    "access.email.placeholder": "prenom.nom@entreprise.fr",
    "access.free_mail_hint": "Cette adresse semble personnelle : utilisez de préférence l'adresse e-mail professionnelle associée à votre entreprise.",
    "action.cancel": "Annuler",
    "action.next": "Suivant",
    "action.back_home": "Retour à l'accueil",
    "action.start_again": "Recommencer",
    "proof.title": "Vérifiez votre autorisation",
    "proof.intro": "Vous n'êtes pas le contact principal ou de facturation de votre entreprise : saisissez le numéro d'une commande ou d'une facture, ainsi que son sous-total ou son total, pour vérifier que vous avez l'autorisation d'accéder aux contrats.",
    "proof.where": "Ces informations se trouvent sur les factures ou commandes que vous avez reçues par e-mail.",
    "proof.reference.label": "Numéro de commande ou de facture",
    "proof.reference.placeholder": "FLD102776277396",
    "proof.amount.label": "Sous-total ou total",
    "proof.amount.placeholder": "3 600,00 €",
    "proof.for": "Adresse : {email}",
    "sent.title": "Consultez votre messagerie",
    "sent.body": "Nous avons envoyé un e-mail à {email}. Ouvrez-le et cliquez sur « Activer mon compte » pour continuer.",
    "sent.spam": "Vous ne le trouvez pas ? Vérifiez vos spams, ou demandez un nouvel e-mail.",
    "sent.resend": "Renvoyer l'e-mail",
    "sent.resent": "Un nouvel e-mail vient de partir : seul le lien le plus récent fonctionne.",
    "hint.title": "Connectez-vous",
    "hint.body": "Vous gérez déjà des utilisateurs et des licences dans le {vendor} Admin Center : vous ne recevrez pas d'e-mail. Il vous suffit de vous connecter pour voir les nouvelles fonctionnalités de gestion de la facturation.",
    "hint.sign_in": "Se connecter",
    "approval.title": "Demande en attente d'approbation",
    "approval.body": "Votre adresse n'appartient à aucun domaine connu de cette entreprise. Nous avons demandé à ses contacts principal et de facturation d'approuver votre accès : vous recevrez un e-mail dès qu'ils l'auront fait.",
    # Errors shown next to fields
    "error.email_empty": "Saisissez votre adresse e-mail.",
    "error.email_invalid": "Cette adresse e-mail n'est pas valide.",
    "error.reference_required": "Saisissez le numéro de commande ou de facture.",
    "error.amount_empty": "Saisissez le sous-total ou le total.",
    "error.amount_zero": "Le sous-total ou le total ne peut pas être de 0 €",
    "error.amount_negative": "Le montant ne peut pas être négatif.",
    "error.amount_malformed": "Saisissez un montant comme 3 600 ou 3 600,00 €.",
    "error.amount_too_precise": "Le montant a au plus deux décimales.",
    "error.amount_too_large": "Ce montant est trop élevé.",
    "error.proof_mismatch": "Ces informations ne correspondent à aucune commande ou facture. Vérifiez le numéro et le montant sur le document reçu par e-mail.",
    "error.throttled": "Trop de tentatives. Pour votre sécurité, réessayez dans {minutes} min.",
    "error.invalid_credentials": "Adresse e-mail ou mot de passe incorrect.",
    "error.name_required": "Saisissez votre nom.",
    "error.name_too_long": "Ce nom est trop long.",
    "error.email_taken": "Un compte existe déjà avec cette adresse : connectez-vous.",
    "error.password_too_short": "Au moins 12 caractères.",
    "error.password_too_long": "256 caractères au plus.",
    "error.password_common": "Ce mot de passe est trop courant : choisissez-en un autre.",
    "error.password_like_email": "Le mot de passe ne doit pas reprendre votre adresse e-mail.",
    "error.terms_required": "Cochez la case pour accepter les conditions d'utilisation.",
    "error.no_pending_activation": "Aucune activation en cours : ouvrez le lien reçu par e-mail, ou recommencez.",
    "error.signed_out": "Votre session a pris fin : connectez-vous.",
    "error.forbidden": "Votre compte n'a pas accès à cette partie de l'Admin Center.",
    "error.unexpected": "Une erreur inattendue s'est produite. Réessayez.",
    # Links from e-mails
    "activate.title": "Activer votre compte",
    "activate.body": "Activez l'accès à la facturation de {company} pour {email}.",
    "activate.button": "Activer mon compte",
    "link.title": "Ce lien n'est plus valable",
    "error.link_used": "Ce lien a déjà été utilisé.",
    "error.link_expired": "Ce lien a expiré.",
    "error.link_unknown": "Ce lien n'est pas valide.",
    "error.link_revoked": "Ce lien a été remplacé par un plus récent.",
    "link.restart": "Vous pouvez recommencer la demande d'accès : un nouveau lien vous sera envoyé.",
    "report.title": "Signaler un accès à la facturation",
    "report.body": "{email} a obtenu l'accès à la facturation de {company} avec {document}. Si cette personne ne doit pas y avoir accès, signalez-le : son accès sera retiré immédiatement.",
    "report.button": "Signaler et retirer l'accès",
    "report.done": "Merci. L'accès a été retiré et la demande est close.",
    "decision.title": "Demande d'accès à la facturation de {company}",
    "decision.body": "{email} a prouvé son autorisation avec {document}, mais son adresse n'appartient à aucun domaine connu de votre entreprise.",
    "decision.approve": "Approuver",
    "decision.refuse": "Refuser",
    "decision.approved": "Demande approuvée : l'e-mail d'activation est envoyé au demandeur.",
    "decision.refused": "Demande refusée : aucun accès n'a été donné.",
    # Sign-in, sign-up, terms
    "signin.title": "Connectez-vous au {vendor} Admin Center",
    "signin.pending": "Connectez-vous, ou inscrivez-vous, pour finaliser l'activation de la facturation de {company}.",
    "field.email": "Adresse e-mail",
    "field.password": "Mot de passe",
    "field.full_name": "Nom complet",
    "signin.show_password": "Afficher le mot de passe",
    "signin.submit": "Se connecter",
    "signin.no_account": "Pas encore membre ?",
    "signin.sign_up": "S'inscrire",
    "signup.title": "Créez votre compte",
    "signup.email_hint": "Elle peut être différente de l'adresse e-mail professionnelle utilisée pour l'activation.",
    "signup.password_hint": "Au moins 12 caractères. Une phrase facile à retenir convient très bien.",
    "signup.submit": "S'inscrire",
    "signup.have_account": "Déjà membre ?",
    "accept.title": "Conditions d'utilisation du {vendor} Admin Center",
    "accept.intro": "Vous allez gérer la facturation de {company} en tant qu'administrateur de facturation : contrats, commandes, factures et modes de paiement.",
    "accept.term1": "Vous agissez pour le compte de votre entreprise et avez l'autorisation d'accéder à ses documents de facturation.",
    "accept.term2": "Vous ne partagez pas votre accès et vous protégez votre mot de passe.",
    "accept.term3": "Vos actions (signatures, paiements, téléchargements) sont enregistrées dans le journal d'audit de l'entreprise.",
    "accept.version": "Version {version}",
    "accept.checkbox": "J'accepte les conditions d'utilisation",
    "accept.submit": "Accepter et continuer",
    # Admin Center
    "admin.nav.overview": "Accueil",
    "admin.nav.contracts": "Contrats et commandes",
    "admin.nav.invoices": "Factures",
    "admin.nav.payment": "Modes de paiement",
    "admin.nav.licences": "Licences et autorisations",
    "admin.sign_out": "Se déconnecter",
    "admin.welcome": "Bonjour {name}",
    "admin.overview.intro": "Voici l'espace de {company} dans le {vendor} Admin Center.",
    "admin.no_company": "Votre compte n'a encore accès à aucune entreprise. Activez la gestion de la facturation depuis l'accueil.",
    "admin.payment.empty": "Aucun mode de paiement enregistré : vos commandes sont réglées par facture, à réception.",
    "admin.orders.empty": "Aucune commande pour le moment. Vos commandes apparaîtront ici dès leur émission.",
    "admin.invoices.empty": "Aucune facture pour le moment. Elles apparaîtront ici dès leur émission.",
    "col.number": "Numéro",
    "col.contract": "Contrat",
    "col.period": "Période",
    "col.status": "Statut",
    "col.subtotal": "Sous-total HT",
    "col.total": "Total TTC",
    "col.issue_date": "Date d'émission",
    "col.due_date": "Échéance",
    "col.kind": "Type",
    "col.name": "Nom",
    "col.email": "E-mail",
    "col.role": "Rôle",
    "col.to": "Destinataire",
    "col.subject": "Objet",
    "col.created": "Créé le",
    "status.order.draft": "Brouillon",
    "status.order.awaiting_signature": "À signer",
    "status.order.signed": "Signée",
    "status.order.paid": "Payée",
    "status.order.cancelled": "Annulée",
    "status.invoice.draft": "Brouillon",
    "status.invoice.open": "À payer",
    "status.invoice.paid": "Payée",
    "status.invoice.void": "Annulée",
    "kind.invoice": "Facture",
    "kind.credit_note": "Avoir",
    "role.admin": "Administrateur",
    "role.billing_admin": "Administrateur de facturation",
    "role.member": "Membre",
    "mailbox.title": "Boîte d'envoi (développement)",
    "mailbox.intro": "Les e-mails que l'application envoie, tels qu'ils partent. Cette page n'existe pas en production.",
    "mailbox.empty": "Aucun e-mail pour le moment.",
    "status.mail.pending": "En attente",
    "status.mail.sent": "Envoyé",
    "status.mail.failed": "Échec",
    # E-mails
    "mail.greeting": "Bonjour,",
    "mail.signature": "L'équipe {vendor}",
    "mail.activation.subject": "Bienvenue dans le {vendor} Admin Center",
    "mail.activation.intro": "Vous avez demandé à gérer la facturation de {company} dans le {vendor} Admin Center. Cliquez sur le bouton ci-dessous pour activer votre compte.",
    "mail.activation.validity": "Ce lien est valable {hours} heures et ne fonctionne qu'une fois.",
    "mail.activation.button": "Activer mon compte",
    "mail.activation.ignore": "Si vous n'êtes pas à l'origine de cette demande, ignorez cet e-mail : aucun accès ne sera donné.",
    "mail.alert.subject": "Accès à la facturation de {company} : {requester}",
    "mail.alert.intro": "{requester} a obtenu l'accès à la facturation de {company} dans le {vendor} Admin Center, en prouvant son autorisation avec {document}.",
    "mail.alert.report": "Si cette personne ne doit pas accéder aux contrats, factures et modes de paiement de {company}, signalez-le : son accès sera retiré immédiatement.",
    "mail.alert.button": "Signaler cet accès",
    "mail.approval.subject": "Approbation requise : accès à la facturation de {company}",
    "mail.approval.intro": "{requester} demande l'accès à la facturation de {company} dans le {vendor} Admin Center et a prouvé son autorisation avec {document}.",
    "mail.approval.why": "Son adresse n'appartient à aucun domaine connu de {company} : l'accès ne sera donné que si vous l'approuvez.",
    "mail.approval.approve": "Approuver",
    "mail.approval.refuse": "Refuser",
    "mail.refused.subject": "Votre demande d'accès à la facturation de {company}",
    "mail.refused.intro": "Un contact de {company} a refusé votre demande d'accès à la facturation dans le {vendor} Admin Center. Si vous pensez qu'il s'agit d'une erreur, rapprochez-vous de lui.",
    "doc.order": "la commande {number}",
    "doc.invoice": "la facture {number}",
}
