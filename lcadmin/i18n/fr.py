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
}
