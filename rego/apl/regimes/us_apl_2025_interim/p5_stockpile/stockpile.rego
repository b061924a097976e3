# METADATA
# title: P5 — Stockpiles kept; only the inoperable or unsafe destroyed (2025 interim)
# description: |
#   Washington Post, 19 Dec 2025, on the memo of 2 Dec 2025: "It would also limit the
#   destruction of land mines in U.S. inventory only to those that are" inoperable or unsafe,
#   "reversing policy to destroy stockpiles that are not required to defend South Korea." A
#   stockpile complies, with no duty to destroy it; destruction complies.
# related_resources:
#   - ref: https://www.dailyherald.com/20251219/nation-and-world/hegseth-reverses-land-mine-policy-to-allow-use-of-controversial-weapon
#     description: Washington Post, 19 Dec 2025, syndicated by the Daily Herald
# custom:
#   clause: P5
#   regime: us-apl-2025-interim
#   official: 'It would also limit the destruction of land mines in U.S. inventory only to those that are "inoperable or unsafe," the memo says, reversing policy to destroy stockpiles that are not required to defend South Korea.'
#   official_source: Hegseth memo, 2 Dec 2025, as reported by the Washington Post, 19 Dec 2025
package apl.regimes.us_apl_2025_interim.p5_stockpile

# Interpretation: "limit the destruction ... only to those that are inoperable or unsafe"
# reverses the duty to destroy: a stockpile complies, whatever its purpose, and carries no
# obligation (whether a given stock is inoperable or unsafe is not the document's to say).
# The package raises nothing; it is here so that the regime's P5 text is quoted and listed.
violation := set()
