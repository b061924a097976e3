# METADATA
# title: Definitions — anti-personnel mines and the Korean Peninsula
# description: |
#   Ottawa Convention, Article 2(1): "'Anti-personnel mine' means a mine designed to be
#   exploded by the presence, proximity or contact of a person and that will incapacitate,
#   injure or kill one or more persons. Mines designed to be detonated by the presence,
#   proximity or contact of a vehicle as opposed to a person, that are equipped with
#   anti-handling devices, are not considered anti-personnel mines as a result of being so
#   equipped."
#   Article 2(2): "'Mine' means a munition designed to be placed under, on or near the
#   ground or other surface area and to be exploded by the presence, proximity or contact
#   of a person or a vehicle."
#   A munition is classified by its design and activation, never by its name alone; the
#   catalogue (munitions/data.yaml) fills in known models and the input wins over it.
#   The Korean Peninsula is found by country code, region or coordinates
#   (peninsula/data.yaml).
# related_resources:
#   - ref: https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=XXVI-5&chapter=26
#     description: Ottawa Convention (1997), Articles 1-3
# custom:
#   clause: DEFINITIONS
#   article: "The policy aligns with the Ottawa Treaty framework to which many nations have committed, though the United States, China, India, and Russia are not party to the agreement."
#   official: "'Anti-personnel mine' means a mine designed to be exploded by the presence, proximity or contact of a person and that will incapacitate, injure or kill one or more persons."
#   official_source: Ottawa Convention, Article 2(1)
package apl.definitions

import data.apl.definitions.munitions.aliases.by_name as aliases
import data.apl.definitions.munitions.classified.by_name as classified
import data.apl.definitions.munitions.models
import data.apl.definitions.peninsula
import data.apl.lib

# --- munitions ---------------------------------------------------------------------------

# The munition the decision turns on: for an assist, the assisted party's.
# Interpretation: an assist is judged by what the other party does (P4), so the munition of
# the assisted activity is the one classified; a munition on the assist itself adds nothing.
subject_munition := object.get(input.assisted_activity, "munition", {}) if {
	input.action == "assist"
} else := object.get(input, "munition", {})

# A catalogued model named alone (a quantity aside) is classified as its catalogue entry
# is, whatever else the document says: the table (munitions/classified, precomputed by
# tools/munition_classes.py from classify itself) holds that answer for every name of
# every model the catalogue settles, for a fraction of classify's cost. Anything else is
# classified here and now.
classification := c if {
	munition := subject_munition
	count(object.remove(munition, {"model", "quantity"})) == 0
	c := classified[normalised_name(munition.model)]
} else := classify(subject_munition)

is_apl if classification.is_apl == true

undetermined if classification.is_apl == null

# Interpretation: model names match without regard to case, spaces or hyphens, as records
# write them every way ("CBU-89/B", "cbu 89/b", "CBU89/B"); any other character counts.
# The catalogue is keyed by each model's normalised main name; its other names
# (`names`), normalised, are looked up only when that key misses (munitions/aliases,
# precomputed from the catalogue by tools/munition_aliases.py).
catalogue_entry(munition) := entry if {
	is_string(munition.model)
	entry := _catalogued(normalised_name(munition.model))
} else := {}

_catalogued(key) := entry if {
	entry := models[key]
} else := models[aliases[key]]

# "M18 Claymore" -> "M18CLAYMORE"; "CBU-89/B" -> "CBU89/B".
normalised_name(name) := upper(replace(replace(name, "-", ""), " ", ""))

# The attributes that decide: the catalogue's for a known model, overridden by the input's.
attributes(munition) := object.union(catalogue_entry(munition), munition)

classify(munition) := result if {
	entry := catalogue_entry(munition)
	attrs := object.union(entry, munition)
	base := _classify(attrs, entry != {})
	result := {"is_apl": base.is_apl, "basis": _with_self_destruction(base, attrs)}
}

# Interpretation: self-destructing ("non-persistent") APL get no carve-out under the
# Convention nor the 2022 policy; the basis says so, the classification ignores it.
_with_self_destruction(base, attrs) := sprintf(
	"%s; self-destruction changes nothing under the Convention or the 2022 policy",
	[base.basis],
) if {
	base.is_apl == true
	attrs.self_destructing == true
} else := base.basis

_classify(a, catalogued) := {
	"is_apl": true,
	"basis": "contains anti-personnel mines: a system that dispenses APL is an APL system",
} if {
	a.category == "mixed"
} else := {
	"is_apl": true,
	"basis": "designed to be exploded by the presence, proximity or contact of a person (Ottawa Art. 2(1))",
} if {
	a.category == "anti_personnel"
	a.activation == "victim"
} else := {
	"is_apl": true,
	"basis": "exploded by the presence, proximity or contact of a person, whatever it is called (Ottawa Art. 2(1))",
} if {
	a.category == "anti_vehicle"
	a.activation == "victim"
} else := {
	"is_apl": false,
	"basis": "command-detonated: fired by an operator, not by a person's presence, proximity or contact; outside Ottawa Art. 2(1)",
} if {
	a.category in {"anti_personnel", "anti_vehicle"}
	a.activation == "command"
} else := {
	"is_apl": false,
	"basis": "designed to be detonated by a vehicle; an anti-handling device does not make it an APL (Ottawa Art. 2(1), second sentence)",
} if {
	a.category == "anti_vehicle"
	a.activation == "vehicle"
} else := {
	"is_apl": false,
	"basis": "not a mine (Ottawa Art. 2(2))",
} if {
	a.category == "not_a_mine"
} else := {
	"is_apl": null,
	"basis": "undetermined: an anti-personnel mine set off by a vehicle contradicts itself; give the activation mode that the design really has",
} if {
	# Interpretation: a contradictory description is not resolved in either direction.
	a.category == "anti_personnel"
	a.activation == "vehicle"
} else := {
	"is_apl": null,
	"basis": sprintf("undetermined: an %s mine with no activation mode; the activation mode decides (a Claymore on a tripwire is an APL, command-detonated it is not)", [replace(a.category, "_", "-")]),
} if {
	# Interpretation: an anti-vehicle mine with no activation mode is undetermined too, as
	# a tilt rod or tripwire would make it an APL (fail closed rather than trust the label).
	a.category in {"anti_personnel", "anti_vehicle"}
} else := {
	"is_apl": null,
	"basis": sprintf("undetermined: model %q is in the catalogue, but no checked source settles its category; give the category and the activation mode", [a.model]),
} if {
	# Interpretation: a catalogued model whose sources were not found or disagree is known
	# but not classified; it is not reported as an unknown model.
	catalogued
} else := {
	"is_apl": null,
	"basis": sprintf("undetermined: unknown model %q and no category; not enough to classify", [a.model]),
} if {
	is_string(a.model)
} else := {
	"is_apl": null,
	"basis": "undetermined: no model and no category; not enough to classify",
}

# --- persistence and delivery (they decide under some regimes, never under us-apl-2022) ---

# "persistent", "non_persistent" or "unknown". A munition that self-destructs or
# self-deactivates (self_destructing: true, from the input or the catalogue) is
# non-persistent; one known not to (self_destructing: false: M14, M16) is persistent.
persistence := _persistence(subject_attributes)

_persistence(a) := "non_persistent" if {
	a.self_destructing == true
} else := "persistent" if {
	a.self_destructing == false
} else := "unknown"

# Whether the munition is remotely delivered (munition.remotely_delivered, from the input
# or the catalogue); undefined when nothing says.
remotely_delivered := subject_attributes.remotely_delivered

subject_attributes := attributes(subject_munition)

# The subject munition's name in messages, computed once a query.
subject_label := label(subject_munition)

# A short name for messages: "500 M14", "GATOR", "mixed munition". One function, not one
# per part: every call OPA makes costs more than the string it builds.
label(munition) := sprintf("%s %s", [format_int(munition.quantity, 10), munition.model]) if {
	is_number(munition.quantity)
	is_string(munition.model)
} else := munition.model if {
	is_string(munition.model)
} else := concat(" ", array.concat(_quantity(munition), [_unnamed(munition)]))

_quantity(munition) := [format_int(munition.quantity, 10)] if is_number(munition.quantity)

else := []

_unnamed(munition) := sprintf("%s munition", [munition.category]) if {
	is_string(munition.category)
} else := "unidentified munition"

# --- the Korean Peninsula ------------------------------------------------------------------

# Where the activity takes place, and where the assisted activity does, each computed
# once a query.
place := location_status(object.get(input, "location", {}))

assisted_place := location_status(object.get(input.assisted_activity, "location", {})) if {
	input.action == "assist"
}

# One of "on", "off", "contested" or "unknown" (the input does not say where). Country,
# region and coordinates each say "on", "off" or nothing (a region other than the DMZ
# says nothing); the place is contested when one says "on" and another "off".
#
# Interpretation: a region of "DMZ" with a country outside Korea, or with coordinates
# off the peninsula, is contested just as a country and coordinates that disagree are:
# the document says two different places.
location_status(location) := "unknown" if {
	# Many documents say nothing of the place, and most name a country alone: it decides,
	# with nothing to weigh it against.
	count(location) == 0
} else := _by_country(location) if {
	count(location) == 1
	is_string(location.country)
} else := _verdict({
	_by_country(location),
	_by_region(location),
	_by_coordinates(location),
})

_verdict(views) := "contested" if {
	"on" in views
	"off" in views
} else := "on" if {
	"on" in views
} else := "off" if {
	"off" in views
} else := "unknown"

_by_country(location) := "on" if {
	location.country in peninsula.codes
} else := "off" if {
	is_string(location.country)
} else := "none"

# Interpretation: region is free text; "DMZ" is matched without regard to case or spaces.
_by_region(location) := "on" if {
	upper(trim_space(location.region)) in peninsula.regions
} else := "none"

_by_coordinates(location) := "on" if {
	inside(location.coordinates)
} else := "off" if {
	is_object(location.coordinates)
} else := "none"

# A point is inside when a ray from it eastwards crosses the outlines an odd number of
# times (the areas neither overlap nor nest). The point's cell in peninsula/grid
# (precomputed from the outlines by tools/peninsula_grid.py) says "1" when the whole cell
# is inside and "0" when it is wholly outside; only in a cell an edge passes through ("2")
# is the ray cast, on the edges that reach into the cell's row. A point in no row, or
# beyond its row, is outside. Nothing is built per query, and there is little arithmetic
# (OPA computes decimals slowly): this runs for every document that gives coordinates.
inside(coordinates) if {
	r := floor(coordinates.lat * peninsula.grid.per_degree) - peninsula.grid.south_row
	row := peninsula.grid.rows[r]
	c := floor(coordinates.lon * peninsula.grid.per_degree) - peninsula.grid.west_col
	c >= 0
	_inside_cell(substring(row, c, 1), r, coordinates)
} else := false

_inside_cell("1", _, _)

# An edge crosses the ray when its latitudes lie on either side of the point's (a
# horizontal edge never does) and it lies east of the point at that latitude. (Two
# variables: opa fmt drops the parentheses of (a <= b) != (c <= d), which changes it.)
_inside_cell("2", r, coordinates) if {
	crossings := count([e |
		some e in peninsula.grid.edges[r]
		first_below := e[1] <= coordinates.lat
		second_below := e[3] <= coordinates.lat
		first_below != second_below
		coordinates.lon < e[0] + (((coordinates.lat - e[1]) * (e[2] - e[0])) / (e[3] - e[1]))
	])
	crossings % 2 == 1
}

# --- what the definitions send to review ---------------------------------------------------

# METADATA
# description: An undetermined munition makes the decision review, never permit
review contains lib.review(rego.metadata.chain(), msg) if {
	undetermined
	msg := sprintf("the munition could not be classified: %s", [classification.basis])
}

# METADATA
# description: |
#   Where country and coordinates disagree the decision is review.
#   Interpretation: this holds for every activity in scope, whatever the munition, as
#   POLICY.md section 2 says it plainly; a document that names two places is not trusted
#   to say which one is meant.
review contains lib.review(rego.metadata.chain(), msg) if {
	place == "contested"
	msg := sprintf("location is contested: %s", [_describe(input.location)])
}

review contains lib.review(rego.metadata.chain(), msg) if {
	assisted_place == "contested"
	msg := sprintf("assisted_activity.location is contested: %s", [_describe(input.assisted_activity.location)])
}

_describe(location) := sprintf("the document names %s; they do not agree on whether this is the Korean Peninsula", [concat(", ", place_parts(location))])

place_parts(location) := [part |
	some key in ["country", "region", "coordinates"]
	value := location[key]
	part := sprintf("%s %v", [key, value])
]
