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
#   article: "The policy aligns with the Ottawa Treaty framework to which many nations have committed."
#   official: "'Anti-personnel mine' means a mine designed to be exploded by the presence, proximity or contact of a person and that will incapacitate, injure or kill one or more persons."
#   official_source: Ottawa Convention, Article 2(1)
package apl.definitions

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

classification := classify(subject_munition)

is_apl if classification.is_apl == true

undetermined if classification.is_apl == null

# Model names match case-insensitively: "m14" and " M14 " are the M14.
catalogue_entry(munition) := models[upper(trim_space(munition.model))] if {
	is_string(munition.model)
} else := {}

# The attributes that decide: the catalogue's for a known model, overridden by the input's.
attributes(munition) := object.union(catalogue_entry(munition), munition)

classify(munition) := result if {
	attrs := attributes(munition)
	base := _classify(attrs)
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

_classify(a) := {
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
	"basis": sprintf("undetermined: unknown model %q and no category; not enough to classify", [a.model]),
} if {
	is_string(a.model)
} else := {
	"is_apl": null,
	"basis": "undetermined: no model and no category; not enough to classify",
}

# A short name for messages: "500 M14", "GATOR", "an anti_vehicle mine".
label(munition) := concat(" ", array.concat(_quantity(munition), [_name(munition)]))

_quantity(munition) := [format_int(munition.quantity, 10)] if is_number(munition.quantity)

else := []

_name(munition) := munition.model if is_string(munition.model)

else := sprintf("%s munition", [munition.category]) if {
	is_string(munition.category)
} else := "unidentified munition"

# --- the Korean Peninsula ------------------------------------------------------------------

# One of "on", "off", "contested" or "unknown" (the input does not say where).
location_status(location) := "contested" if {
	contested(location)
} else := "on" if {
	_on_by_country(location)
} else := "on" if {
	_on_by_region(location)
} else := "on" if {
	inside(location.coordinates)
} else := "off" if {
	_locates(location)
} else := "unknown"

# Country and coordinates both given and one says peninsula while the other does not.
contested(location) if {
	is_string(location.country)
	is_object(location.coordinates)
	_on_by_country(location) != inside(location.coordinates)
}

# Interpretation: a region of "DMZ" with a country outside Korea, or with coordinates
# off the peninsula, is contested too: the document says two different places.
contested(location) if {
	_on_by_region(location)
	is_string(location.country)
	not _on_by_country(location)
}

contested(location) if {
	_on_by_region(location)
	is_object(location.coordinates)
	not inside(location.coordinates)
}

_on_by_country(location) := location.country in peninsula.codes

# Interpretation: region is free text; "DMZ" is matched without regard to case or spaces.
_on_by_region(location) if upper(trim_space(location.region)) in peninsula.regions

_locates(location) if is_string(location.country)

_locates(location) if is_object(location.coordinates)

# Ray casting against each area's outline, after a bounding-box check: a point is inside
# when a ray from it eastwards crosses the outline an odd number of times.
inside(coordinates) if {
	some area in _areas
	coordinates.lon >= area.box.min_lon
	coordinates.lon <= area.box.max_lon
	coordinates.lat >= area.box.min_lat
	coordinates.lat <= area.box.max_lat
	crossings := count([1 |
		some edge in area.edges
		edge.min_lat <= coordinates.lat
		coordinates.lat < edge.max_lat
		coordinates.lon < edge.lon + ((coordinates.lat - edge.lat) * edge.slope)
	])
	crossings % 2 == 1
} else := false

# Computed once per query: each outline's non-horizontal edges and its bounding box.
_areas[area.name] := {"edges": edges, "box": box} if {
	some area in peninsula.areas
	n := count(area.polygon)
	edges := [_edge(area.polygon[i], area.polygon[(i + 1) % n]) |
		some i in numbers.range(0, n - 1)
		area.polygon[i][1] != area.polygon[(i + 1) % n][1]
	]
	lons := [p[0] | some p in area.polygon]
	lats := [p[1] | some p in area.polygon]
	box := {"min_lon": min(lons), "max_lon": max(lons), "min_lat": min(lats), "max_lat": max(lats)}
}

# An edge from a to b ([lon, lat]), as what the ray test needs: its latitude span, one
# end, and how far east it moves per degree north.
_edge(a, b) := {
	"min_lat": min([a[1], b[1]]),
	"max_lat": max([a[1], b[1]]),
	"lon": a[0],
	"lat": a[1],
	"slope": (b[0] - a[0]) / (b[1] - a[1]),
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
	some field, location in _locations
	contested(location)
	msg := sprintf("%s is contested: %s", [field, _describe(location)])
}

_locations["location"] := input.location if is_object(input.location)

_locations["assisted_activity.location"] := input.assisted_activity.location if {
	input.action == "assist"
	is_object(input.assisted_activity.location)
}

_describe(location) := sprintf("the document names %s; they do not agree on whether this is the Korean Peninsula", [concat(", ", place_parts(location))])

place_parts(location) := [part |
	some key in ["country", "region", "coordinates"]
	value := location[key]
	part := sprintf("%s %v", [key, value])
]
