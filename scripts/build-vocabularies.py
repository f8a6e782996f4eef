#!/usr/bin/env python3
"""Write ontology/vocabularies/*.ttl, one SKOS concept scheme per file.

The lists below are the single place where bibia's controlled vocabularies are
edited: run `python3 scripts/build-vocabularies.py` after a change and commit
the regenerated Turtle. Labels in French are the network's exact enum labels
(interconnectes_IA-schema.json) where the network has a list; `alt` holds every
other spelling met in real files, used by the CSV importer to match values.

IRIs are relative (no @base): </id/concept/{scheme}> and
</id/concept/{scheme}/{notation}>, resolved against the service base IRI.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "ontology" / "vocabularies"

EU_THEME = "http://publications.europa.eu/resource/authority/data-theme/"
AIACT = "https://w3id.org/dpv/legal/eu/aiact#"


def slug(label: str) -> str:
    """Lowercase ASCII slug, words separated by '-' (the notation rule)."""
    text = unicodedata.normalize("NFKD", label)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[^a-z0-9]+", "-", text)
    return text.strip("-")


def c(fr, en, alt=(), notation=None, broader=None, definition=None, exact=(), close=()):
    """One concept: French and English labels, alternative spellings, mappings."""
    return {
        "fr": fr,
        "en": en,
        "alt": list(alt),
        "notation": notation or slug(fr),
        "broader": broader,
        "definition": definition,
        "exact": list(exact),
        "close": list(close),
    }


SCHEMES: list[dict] = []


def scheme(slug_, fr, en, desc_fr, desc_en, concepts, field=None):
    SCHEMES.append(
        {
            "slug": slug_,
            "fr": fr,
            "en": en,
            "desc_fr": desc_fr,
            "desc_en": desc_en,
            "concepts": concepts,
            "field": field,
        }
    )


# --- theme ------------------------------------------------------------------
T_ECO = "transition-ecologique-et-energetique"
T_ATT = "attractivite-et-developpement"
T_CIT = "citoyennete-sante-et-solidarite"
T_MOB = "mobilites"
T_GOV = "gouvernance-et-socles-technologiques"
T_ADM = "administration-et-organisation-interne"

scheme(
    "theme",
    "Thèmes de politique publique",
    "Public policy themes",
    "Grande politique publique à laquelle répond le cas d'usage (champ Theme du réseau).",
    "Main public policy addressed by the use case (the network's Theme field).",
    [
        c("Transition écologique et énergétique", "Ecological and energy transition",
          alt=["Transition ecologique et energetique", "Transition écologique", "Environnement"],
          close=[EU_THEME + "ENVI", EU_THEME + "ENER"]),
        c("Attractivité et développement", "Attractiveness and development",
          alt=["Attractivite et developpement", "Développement économique"],
          close=[EU_THEME + "ECON"]),
        c("Citoyenneté, santé et solidarité", "Citizenship, health and solidarity",
          alt=["Citoyennete, sante et solidarite", "Citoyenneté santé et solidarité", "Solidarité"],
          close=[EU_THEME + "SOCI", EU_THEME + "HEAL"]),
        c("Mobilités", "Mobility", alt=["Mobilites", "Mobilité", "Transports"],
          close=[EU_THEME + "TRAN"]),
        c("Gouvernance et socles technologiques", "Governance and technology foundations",
          alt=["Gouvernance et socles technologique", "Socles technologiques"],
          close=[EU_THEME + "TECH"]),
        c("Administration et organisation interne", "Administration and internal organisation",
          alt=["Administration", "Organisation interne"],
          close=[EU_THEME + "GOVE"]),
    ],
    field="Theme",
)

# --- sous-theme (34, each under the most fitting theme) ---------------------
ST = [
    ("Performance énergétique", "Energy performance", T_ECO, ["Performance energetique"]),
    ("Commerce et développement économique", "Trade and economic development", T_ATT,
     ["Commerce et developpement economique"]),
    ("Education", "Education", T_CIT, ["Éducation"]),
    ("Logistique urbaine", "Urban logistics", T_MOB, []),
    ("Modélisation et jumeau numérique", "Modelling and digital twin", T_GOV,
     ["Modelisation et jumeau numerique", "Jumeau numérique"]),
    ("Gestion des ressources humaines", "Human resources management", T_ADM, ["Ressources humaines", "RH"]),
    ("Eclairage public", "Public lighting", T_ECO, ["Éclairage public"]),
    ("Agriculture", "Agriculture", T_ECO, ["Agriculture et alimentation"]),
    ("Santé et accès aux soins", "Health and access to care", T_CIT, ["Sante et acces aux soins", "Santé"]),
    ("Multimodalités", "Multimodality", T_MOB, ["Multimodalite", "Multimodalité"]),
    ("Outillage système d’information", "Information system tooling", T_GOV,
     ["Outillage système d'information", "Outillage systeme d'information"]),
    ("Gestion des assemblées", "Management of council meetings", T_ADM,
     ["Gestion des assemblees", "Gestion des assemblées délibérantes"]),
    ("Gestion de l’eau", "Water management", T_ECO, ["Gestion de l'eau", "Eau"]),
    ("Culture et loisirs", "Culture and leisure", T_ATT, ["Culture", "Loisirs"]),
    ("Accessibilité et handicap", "Accessibility and disability", T_CIT,
     ["Accessibilite et handicap", "Handicap"]),
    ("Flux et trafic", "Flows and traffic", T_MOB, ["Trafic"]),
    ("Infrastructures numériques", "Digital infrastructure", T_GOV, ["Infrastructures numeriques"]),
    ("Gestion des marchés publics", "Public procurement management", T_ADM,
     ["Gestion des marches publics", "Marchés publics", "Commande publique"]),
    ("Déchets et économie circulaire", "Waste and circular economy", T_ECO,
     ["Dechets et economie circulaire", "Déchets"]),
    ("Construction et aménagement", "Construction and planning", T_ATT,
     ["Construction et amenagement", "Urbanisme", "Aménagement"]),
    ("Lien social et relation aux usagers", "Social ties and user relations", T_CIT,
     ["Relation aux usagers", "Relation usagers", "Relation citoyen"]),
    ("Mobilité décarbonée", "Low-carbon mobility", T_MOB, ["Mobilite decarbonee"]),
    ("Gouvernance et stratégie numérique responsable", "Governance and responsible digital strategy", T_GOV,
     ["Gouvernance et strategie numerique responsable", "Numérique responsable"]),
    ("Aide à la rédaction et gestion documentaire", "Writing assistance and document management", T_ADM,
     ["Aide a la redaction et gestion documentaire", "Gestion documentaire"]),
    ("Qualité de l’air et nuisances sonores", "Air quality and noise", T_ECO,
     ["Qualité de l'air et nuisances sonores", "Qualite de l'air et nuisances sonores", "Qualité de l'air"]),
    ("Immobilier", "Real estate", T_ATT, ["Patrimoine immobilier"]),
    ("Inclusion numérique", "Digital inclusion", T_CIT, ["Inclusion numerique"]),
    ("Stationnement", "Parking", T_MOB, []),
    ("Plateforme de données", "Data platform", T_GOV, ["Plateforme de donnees", "Plateforme data"]),
    ("Aide juridique", "Legal assistance", T_ADM, ["Juridique"]),
    ("Biodiversité et préservation des espaces naturels", "Biodiversity and protection of natural areas", T_ECO,
     ["Biodiversite et preservation des espaces naturels", "Biodiversité"]),
    ("Participation citoyenne", "Citizen participation", T_CIT, ["Démocratie participative"]),
    ("Cybersécurité", "Cybersecurity", T_GOV, ["Cybersecurite", "Sécurité informatique"]),
    ("Prévention et gestion des risques", "Risk prevention and management", T_ECO,
     ["Prevention et gestion des risques", "Risques naturels"]),
]
assert len(ST) == 34
scheme(
    "sous-theme",
    "Sous-thèmes de politique publique",
    "Public policy sub-themes",
    "Sous-thème de politique publique visé (champ Sous_Theme du réseau) ; chacun précise un thème.",
    "Public policy sub-theme (the network's Sous_Theme field); each refines one theme.",
    [c(fr, en, alt=alt, broader=f"/id/concept/theme/{th}") for fr, en, th, alt in ST],
    field="Sous_Theme",
)

# --- statut -------------------------------------------------------------------
scheme(
    "statut",
    "Statuts de projet",
    "Project statuses",
    "Maturité du projet (champ Statut_du_projet du réseau, complété par « En exploration »).",
    "Maturity of the project (the network's Statut_du_projet field, plus “En exploration”).",
    [
        c("En exploration", "Exploring", alt=["En réflexion", "En reflexion", "Exploration", "Réflexion"],
          definition=("Le besoin est étudié, aucune expérimentation n'a commencé.",
                      "The need is being studied; no experiment has started.")),
        c("En expérimentation", "Experimenting",
          alt=["En experimentation", "Expérimentation", "POC", "Preuve de concept", "En construction", "Pilote"],
          definition=("Le service est testé à petite échelle (preuve de concept, pilote).",
                      "The service is being tested on a small scale (proof of concept, pilot).")),
        c("En déploiement", "Deploying", alt=["En deploiement", "Déploiement", "Déployé", "En production"],
          definition=("Le service est mis en production ou étendu.",
                      "The service is being put into production or extended.")),
        c("Terminée", "Completed", alt=["Terminé", "Termine", "Terminee", "Achevé", "Fini"],
          definition=("Le projet est achevé.", "The project is completed.")),
        c("Abandonné", "Abandoned", alt=["Abandonnée", "Abandonne", "Abandon", "Arrêté"],
          definition=("Le projet a été arrêté avant son terme ; la raison doit être donnée.",
                      "The project was stopped before completion; the reason must be given.")),
    ],
    field="Statut_du_projet",
)

# --- type-organisation --------------------------------------------------------
EPCI = "/id/concept/type-organisation/epci"
scheme(
    "type-organisation",
    "Types d'organisation",
    "Organisation types",
    "Nature juridique de l'organisation (champ Type_de_collectivite du réseau, étendu aux partenaires).",
    "Legal nature of the organisation (the network's Type_de_collectivite field, extended to partners).",
    [
        c("Commune", "Municipality", alt=["Ville", "Mairie", "Commune nouvelle"]),
        c("EPCI", "Inter-municipal body (EPCI)",
          alt=["Intercommunalité", "Intercommunalite",
               "Établissement public de coopération intercommunale",
               "Etablissement public de coopération intercommunale"]),
        c("Communauté de communes", "Community of municipalities", alt=["CC", "Communaute de communes"],
          broader=EPCI),
        c("Communauté d'agglomération", "Agglomeration community",
          alt=["CA", "Communaute d'agglomeration", "Communauté d’agglomération", "Agglomération"],
          broader=EPCI),
        c("Communauté urbaine", "Urban community", alt=["CU", "Communaute urbaine"], broader=EPCI),
        c("Métropole", "Metropolis", alt=["Metropole", "Métropole européenne"], broader=EPCI),
        c("EPT", "Territorial public body (EPT)",
          alt=["Établissement public territorial", "Etablissement public territorial"]),
        c("Département", "Department",
          alt=["Departement", "Conseil départemental", "Conseil departemental", "Conseil général"]),
        c("Région", "Region", alt=["Region", "Conseil régional", "Conseil regional", "Collectivité territoriale unique"]),
        c("Syndicat mixte", "Joint syndicate", alt=["Syndicat", "Syndicat intercommunal", "SIVU", "SIVOM"]),
        c("Opérateur", "Public operator / public establishment", notation="operateur",
          alt=["Operateur", "Opérateur / établissement public", "Etablissement public", "Établissement public",
               "Opérateur public"]),
        c("Entreprise", "Company", alt=["Société", "Societe", "Start-up", "PME", "Éditeur", "Editeur"]),
        c("Laboratoire de recherche", "Research laboratory", notation="laboratoire",
          alt=["Laboratoire", "Université", "Universite", "Organisme de recherche", "Recherche"]),
        c("Association", "Association", alt=["Associations", "Fondation"]),
        c("Service de l'État", "State service", notation="service-de-l-etat",
          alt=["Service de l'Etat", "Service de l’État", "État", "Etat", "Préfecture", "Administration centrale"]),
    ],
    field="Type_de_collectivite",
)

# --- audience -----------------------------------------------------------------
scheme(
    "audience",
    "Publics du service",
    "Audiences of the service",
    "Public auquel le service s'adresse (champ Audience du réseau).",
    "Who the service is for (the network's Audience field).",
    [
        c("Grand public", "General public", alt=["Citoyens", "Habitants", "Usagers", "Public"]),
        c("Bénéficiaire", "Beneficiary", alt=["Bénéficiaires", "Beneficiaire", "Beneficiaires"]),
        c("Agent", "Staff", alt=["Agents", "Agents publics", "Agent public"]),
        c("Association", "Associations", alt=["Associations"]),
        c("Elu", "Elected officials", alt=["Élu", "Elus", "Élus", "Élu(e)s", "Elu(e)s"]),
        c("Entreprises", "Companies", alt=["Entreprise"]),
        c("Collectivités", "Local authorities", alt=["Collectivité", "Collectivites", "Collectivite"]),
        c("Etablissement scolaire", "Schools",
          alt=["Établissement scolaire", "Etablissements scolaires", "Établissements scolaires", "Écoles", "Ecoles"]),
        c("Etablissement santé", "Health establishments",
          alt=["Établissement santé", "Etablissement de santé", "Établissement de santé",
               "Etablissements de santé", "Établissements de santé"]),
    ],
    field="Audience",
)

# --- mise-en-oeuvre -------------------------------------------------------------
scheme(
    "mise-en-oeuvre",
    "Modes de mise en œuvre",
    "Delivery modes",
    "Comment le projet est développé et mis en œuvre (champ mise_en_oeuvre du réseau).",
    "How the project is developed and delivered (the network's mise_en_oeuvre field).",
    [
        c("Projet développé en interne", "Developed in-house",
          alt=["Projet developpe en interne", "En interne", "Interne", "Développement interne",
               "Développé en interne", "Réalisé en interne", "En régie", "Régie", "Développé en régie",
               "Développement en régie"]),
        c("projet développé en externe", "Developed externally",
          alt=["Projet développé en externe", "Projet developpe en externe", "En externe", "Externe"]),
        c("mobilisation de prestataire(s)", "Use of contractor(s)",
          alt=["Mobilisation de prestataire(s)", "Mobilisation de prestataires", "Prestataire", "Prestataires"]),
        c("marché public", "Public procurement", alt=["Marché public", "Marche public", "Marchés publics"]),
    ],
    field="mise_en_oeuvre",
)

# --- hebergement --------------------------------------------------------------
scheme(
    "hebergement",
    "Modes d'hébergement",
    "Hosting modes",
    "Où sont hébergées les données du service (champ herbergement du réseau).",
    "Where the service's data is hosted (the network's herbergement field).",
    [
        c("cloud chez un tiers", "Third-party cloud",
          alt=["Cloud chez un tiers", "Cloud", "Cloud tiers", "SaaS", "Hébergement externe"]),
        c("en interne de l'administration", "In-house, within the administration",
          alt=["En interne de l'administration", "En interne de l’administration", "En interne", "Interne",
               "On premise", "Hébergement interne"]),
        c("NSP", "Don't know", alt=["Ne sait pas", "nsp", "Inconnu"]),
    ],
    field="herbergement",
)

# --- type-algorithme ----------------------------------------------------------
scheme(
    "type-algorithme",
    "Types d'algorithme",
    "Algorithm types",
    "Famille technique de l'algorithme (champ type_algorithme du réseau).",
    "Technical family of the algorithm (the network's type_algorithme field).",
    [
        c("Machine Learning", "Machine learning", alt=["Apprentissage automatique", "ML", "Machine learning"]),
        c("Traitement Automatique du langage", "Natural language processing",
          alt=["Traitement automatique du langage", "Traitement automatique du langage naturel", "TAL", "NLP"]),
        c("IA générative", "Generative AI",
          alt=["IA generative", "IA Générative", "IAG", "GenAI", "Intelligence artificielle générative"]),
        c("Computer vision", "Computer vision", alt=["Computer Vision", "Vision par ordinateur"]),
        c("Réseaux de neurones", "Neural networks",
          alt=["Reseaux de neurones", "Réseau de neurones", "Deep learning", "Apprentissage profond"]),
        c("NSP", "Don't know", alt=["Ne sait pas", "nsp"]),
    ],
    field="type_algorithme",
)

# --- source-donnees -----------------------------------------------------------
scheme(
    "source-donnees",
    "Sources des données",
    "Data sources",
    "Qui fournit les données d'entraînement et d'utilisation (champ donnees_source du réseau).",
    "Who provides the training and input data (the network's donnees_source field).",
    [
        c("usager", "Service user", alt=["Usager", "Usagers", "Données usagers"]),
        c("jeu de données interne", "Internal dataset",
          alt=["Jeu de données interne", "Jeu de donnees interne", "Données internes", "Interne"]),
        c("open data", "Open data", alt=["Open data", "Open Data", "Données ouvertes"]),
        c("données d'un tiers", "Third-party data",
          alt=["Données d'un tiers", "Donnees d'un tiers", "Données d’un tiers", "Tiers"]),
        c("NSP", "Don't know", alt=["Ne sait pas", "nsp"]),
    ],
    field="donnees_source",
)

# --- acces-donnees --------------------------------------------------------------
scheme(
    "acces-donnees",
    "Modes de collecte des données",
    "Data collection modes",
    "Comment les données sont collectées et mises à jour (champ donnees_acces du réseau).",
    "How the data is collected and updated (the network's donnees_acces field).",
    [
        c("par API", "Through an API", alt=["Par API", "API"]),
        c("automatisée", "Automated", alt=["Automatisée", "Automatisee", "Automatique", "Collecte automatisée"]),
        c("par récupération manuelle", "Manual retrieval",
          alt=["Par récupération manuelle", "Par recuperation manuelle", "Manuelle", "Manuel"]),
        c("NSP", "Don't know", alt=["Ne sait pas", "nsp"]),
    ],
    field="donnees_acces",
)

# --- budget -------------------------------------------------------------------
scheme(
    "budget",
    "Tranches de budget annuel",
    "Annual budget bands",
    "Budget annuel du projet, par tranche (champ budget du réseau).",
    "Annual budget of the project, by band (the network's budget field).",
    [
        c("moins de 50k€", "Less than €50k",
          alt=["Moins de 50k€", "moins de 50 k€", "< 50k€", "<50k€", "Moins de 50 000 €"]),
        c("de 50k€ à 100k€", "€50k to €100k",
          alt=["De 50k€ à 100k€", "de 50 k€ à 100 k€", "50k€ - 100k€", "Entre 50k€ et 100k€",
               "De 50 000 € à 100 000 €"]),
        c("plus de 100k€", "More than €100k",
          alt=["Plus de 100k€", "plus de 100 k€", "> 100k€", ">100k€", "Plus de 100 000 €"]),
    ],
    field="budget",
)

# --- risque-ia ------------------------------------------------------------------
scheme(
    "risque-ia",
    "Catégories de risque du règlement européen sur l'IA",
    "EU AI Act risk categories",
    "Catégorie de risque de l'usage de l'algorithme au sens du règlement (UE) 2024/1689 (champ risque_categorie du réseau).",
    "Risk category of the use of the algorithm under Regulation (EU) 2024/1689 (the network's risque_categorie field).",
    [
        c("risque minimal", "Minimal risk", alt=["Risque minimal", "Minimal", "Risque faible"],
          exact=[AIACT + "RiskLevelMinimal"],
          definition=("Aucune obligation particulière du règlement sur l'IA.",
                      "No specific obligation under the AI Act.")),
        c("risque limité", "Limited risk (transparency)",
          alt=["Risque limité", "Risque limite", "Limité", "Risque de transparence"],
          close=[AIACT + "RiskLevelTransparencyRequired"],
          definition=("Obligations de transparence (article 50) : dire à la personne qu'elle échange avec une IA.",
                      "Transparency obligations (Article 50): tell people they are interacting with an AI.")),
        c("risque élevé", "High risk", alt=["Risque élevé", "Risque eleve", "Haut risque", "Élevé"],
          exact=[AIACT + "RiskLevelHigh"],
          definition=("Système à haut risque (annexes I et III) : contrôle humain, documentation et gestion des risques obligatoires.",
                      "High-risk system (Annexes I and III): human oversight, documentation and risk management required.")),
        c("inacceptable", "Unacceptable risk (prohibited)",
          alt=["Inacceptable", "Risque inacceptable", "Interdit"],
          exact=[AIACT + "RiskLevelProhibited"],
          definition=("Pratique interdite par l'article 5 du règlement sur l'IA.",
                      "Practice prohibited by Article 5 of the AI Act.")),
    ],
    field="risque_categorie",
)

# --- niveau ---------------------------------------------------------------------
scheme(
    "niveau",
    "Niveaux (faible, moyen, fort)",
    "Levels (low, medium, high)",
    "Échelle à trois niveaux utilisée pour l'erreur (champ erreur) et l'explicabilité (champ explicabilite).",
    "Three-level scale used for error (the erreur field) and explainability (the explicabilite field).",
    [
        c("faible", "Low", alt=["Faible"]),
        c("moyen", "Medium", alt=["Moyen", "Moyenne"]),
        c("fort", "High", alt=["Fort", "Forte", "Élevé"]),
    ],
    field="erreur, explicabilite",
)

# --- financement ----------------------------------------------------------------
scheme(
    "financement",
    "Sources de financement",
    "Funding sources",
    "Guichet de financement du projet (champ financement du réseau).",
    "Funding window of the project (the network's financement field).",
    [
        c("Fonds propres / interne", "Own funds / internal",
          alt=["Interne", "Fonds propres", "Budget interne", "Autofinancement"]),
        c("Fonds vert", "Green Fund (Fonds vert)", alt=["Fond vert", "Fonds Vert"]),
        c("CRTE", "Ecological transition recovery contract (CRTE)",
          alt=["Contrat de relance et de transition écologique"]),
        c("France 2030", "France 2030", alt=["France2030"]),
        c("FEDER", "European Regional Development Fund (ERDF)",
          alt=["Fonds européen de développement régional", "FEDER (Europe)"]),
        c("DIAT", "DIAT", alt=["Diat"]),
        c("France Relance", "France Relance (recovery plan)", alt=["Plan de relance", "France relance"]),
        c("DSIL", "Local investment support grant (DSIL)",
          alt=["Dotation de soutien à l'investissement local"]),
        c("Banque des Territoires", "Banque des Territoires", alt=["BDT", "Caisse des Dépôts", "Caisse des dépôts"]),
        c("ANCT", "National agency for territorial cohesion (ANCT)",
          alt=["Agence nationale de la cohésion des territoires"]),
        c("Région", "Region", alt=["Region", "Conseil régional", "Subvention régionale"]),
        c("État", "State", alt=["Etat", "Subvention de l'État", "Subvention de l'Etat"]),
        c("Europe (autre)", "Europe (other)",
          alt=["Europe", "Union européenne", "Fonds européens", "Horizon Europe", "Digital Europe"]),
    ],
    field="financement",
)

# --- role-partenaire ------------------------------------------------------------
scheme(
    "role-partenaire",
    "Rôles des partenaires",
    "Partner roles",
    "Rôle d'une organisation partenaire dans un projet (champ Partenaires du réseau, qualifié).",
    "Role of a partner organisation in a project (the network's Partenaires field, qualified).",
    [
        c("Prestataire", "Contractor", alt=["Prestataires"]),
        c("Partenaire technique", "Technical partner", alt=["Partenaires techniques", "Technique"]),
        c("Laboratoire / recherche", "Laboratory / research",
          alt=["Laboratoire", "Recherche", "Partenaire académique", "Académique"]),
        c("Co-financeur", "Co-funder", alt=["Cofinanceur", "Financeur", "Co-financement"]),
        c("Collectivité partenaire", "Partner local authority", alt=["Collectivite partenaire", "Collectivité"]),
        c("Fournisseur de solution", "Solution provider", alt=["Éditeur", "Editeur", "Fournisseur"]),
    ],
    field="Partenaires",
)

# --- niveau-automatisation ------------------------------------------------------
scheme(
    "niveau-automatisation",
    "Niveaux d'automatisation de la décision",
    "Levels of decision automation",
    "Place de l'algorithme dans la décision (ajout bibia inspiré de l'ATRS britannique et d'Eurocities ; article L311-3-1 du CRPA).",
    "Role of the algorithm in the decision (bibia addition after the UK ATRS and Eurocities; French CRPA L311-3-1).",
    [
        c("Aide à la décision", "Decision support", alt=["Aide a la decision"],
          definition=("L'algorithme éclaire une décision prise par un agent.",
                      "The algorithm informs a decision taken by a person.")),
        c("Décision partiellement automatisée", "Partly automated decision",
          alt=["Decision partiellement automatisee"],
          definition=("Une partie de la décision est produite par l'algorithme, un agent valide ou complète.",
                      "Part of the decision is produced by the algorithm; a person validates or completes it.")),
        c("Décision entièrement automatisée", "Fully automated decision",
          alt=["Decision entierement automatisee", "Décision automatisée"],
          definition=("La décision individuelle est prise par l'algorithme sans intervention humaine.",
                      "The individual decision is taken by the algorithm without human intervention.")),
        c("Sans décision individuelle", "No individual decision",
          alt=["Sans decision individuelle", "Aucune décision individuelle"],
          definition=("L'algorithme ne produit aucune décision concernant une personne.",
                      "The algorithm produces no decision about an individual.")),
    ],
)


def lit(text: str, lang: str | None = None) -> str:
    esc = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{esc}"@{lang}' if lang else f'"{esc}"'


def write_scheme(s: dict) -> str:
    sid = f"/id/concept/{s['slug']}"
    # A concept is top in its scheme unless its broader concept is in the same scheme
    # (a sub-theme is top in sous-theme and narrower than a concept of theme).
    def is_top(k: dict) -> bool:
        return not k["broader"] or not k["broader"].startswith(sid + "/")

    tops = [k for k in s["concepts"] if is_top(k)]
    lines = [
        f"# bibia controlled vocabulary: {s['en']} ({s['slug']})",
        "# Generated by scripts/build-vocabularies.py; edit the script, not this file.",
        "# Relative IRIs, no @base: they resolve against the service base IRI.",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "",
        f"<{sid}> a skos:ConceptScheme ;",
        f"    skos:prefLabel {lit(s['fr'], 'fr')}, {lit(s['en'], 'en')} ;",
        f"    dcterms:title {lit(s['fr'], 'fr')}, {lit(s['en'], 'en')} ;",
        f"    skos:definition {lit(s['desc_fr'], 'fr')},",
        f"        {lit(s['desc_en'], 'en')} ;",
        "    dcterms:license <https://www.etalab.gouv.fr/licence-ouverte-open-licence/> ;",
        "    skos:hasTopConcept",
    ]
    tc = [f"        <{sid}/{k['notation']}>" for k in tops]
    lines.append(",\n".join(tc) + " .")
    for k in s["concepts"]:
        iri = f"{sid}/{k['notation']}"
        lines.append("")
        lines.append(f"<{iri}> a skos:Concept ;")
        lines.append(f"    skos:inScheme <{sid}> ;")
        if is_top(k):
            lines.append(f"    skos:topConceptOf <{sid}> ;")
        if k["broader"]:
            lines.append(f"    skos:broader <{k['broader']}> ;")
        lines.append(f"    skos:notation {lit(k['notation'])} ;")
        lines.append(f"    skos:prefLabel {lit(k['fr'], 'fr')}, {lit(k['en'], 'en')} ;")
        if k["alt"]:
            alts = ", ".join(lit(a, "fr") for a in k["alt"])
            lines.append(f"    skos:altLabel {alts} ;")
        if k["definition"]:
            dfr, den = k["definition"]
            lines.append(f"    skos:definition {lit(dfr, 'fr')},")
            lines.append(f"        {lit(den, 'en')} ;")
        if k["exact"]:
            lines.append("    skos:exactMatch " + ", ".join(f"<{x}>" for x in k["exact"]) + " ;")
        if k["close"]:
            lines.append("    skos:closeMatch " + ", ".join(f"<{x}>" for x in k["close"]) + " ;")
        lines[-1] = lines[-1][:-2] + " ."
    return "\n".join(lines) + "\n"


def check() -> None:
    for s in SCHEMES:
        seen: dict[str, str] = {}
        notations = set()
        for k in s["concepts"]:
            assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", k["notation"]), k["notation"]
            assert k["notation"] not in notations, (s["slug"], k["notation"])
            notations.add(k["notation"])
            for label in [k["fr"], *k["alt"]]:
                key = label.casefold()
                if key in seen and seen[key] != k["notation"]:
                    sys.exit(f"{s['slug']}: label {label!r} used by {seen[key]} and {k['notation']}")
                seen[key] = k["notation"]
            assert k["fr"] not in k["alt"], (s["slug"], k["fr"])


def main() -> None:
    check()
    OUT.mkdir(parents=True, exist_ok=True)
    for s in SCHEMES:
        (OUT / f"{s['slug']}.ttl").write_text(write_scheme(s), encoding="utf-8")
    n = sum(len(s["concepts"]) for s in SCHEMES)
    print(f"{len(SCHEMES)} schemes, {n} concepts written to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
