//! Time zones and countries for the setup and settings forms. Country names
//! come from the browser (`Intl.DisplayNames`) in the interface language, so
//! they need no translation file.

use wasm_bindgen::{JsCast, JsValue};

/// Common IANA zones; the browser's own and the saved one are added when missing.
pub const TIME_ZONES: &[&str] = &[
    "UTC",
    "Pacific/Honolulu",
    "America/Anchorage",
    "America/Los_Angeles",
    "America/Phoenix",
    "America/Denver",
    "America/Chicago",
    "America/Mexico_City",
    "America/Bogota",
    "America/Lima",
    "America/New_York",
    "America/Toronto",
    "America/Caracas",
    "America/Santiago",
    "America/Argentina/Buenos_Aires",
    "America/Sao_Paulo",
    "Atlantic/Azores",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Africa/Casablanca",
    "Africa/Lagos",
    "Europe/Madrid",
    "Europe/Paris",
    "Europe/Brussels",
    "Europe/Amsterdam",
    "Europe/Berlin",
    "Europe/Zurich",
    "Europe/Rome",
    "Europe/Stockholm",
    "Europe/Warsaw",
    "Africa/Johannesburg",
    "Africa/Cairo",
    "Europe/Athens",
    "Europe/Helsinki",
    "Europe/Kyiv",
    "Europe/Istanbul",
    "Africa/Nairobi",
    "Europe/Moscow",
    "Asia/Riyadh",
    "Asia/Tehran",
    "Asia/Dubai",
    "Asia/Karachi",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Dhaka",
    "Asia/Bangkok",
    "Asia/Jakarta",
    "Asia/Ho_Chi_Minh",
    "Asia/Singapore",
    "Asia/Kuala_Lumpur",
    "Asia/Manila",
    "Asia/Hong_Kong",
    "Asia/Shanghai",
    "Asia/Taipei",
    "Australia/Perth",
    "Asia/Seoul",
    "Asia/Tokyo",
    "Australia/Adelaide",
    "Australia/Brisbane",
    "Australia/Sydney",
    "Pacific/Auckland",
];

/// ISO 3166-1 alpha-2 codes.
const COUNTRIES: &str =
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ \
BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ \
DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT \
GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY \
KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX \
MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS \
RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN \
TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// `(zone, label)` pairs, making sure `extra` zones (browser's, saved) appear.
pub fn time_zone_options(extra: &[&str]) -> Vec<(String, String)> {
    let mut zones: Vec<String> = TIME_ZONES.iter().map(|z| z.to_string()).collect();
    for z in extra {
        if !z.is_empty() && !zones.iter().any(|x| x == z) {
            zones.insert(1, z.to_string());
        }
    }
    zones
        .into_iter()
        .map(|z| {
            let label = z.replace('_', " ");
            (z, label)
        })
        .collect()
}

fn region_names(lang: &str) -> Option<js_sys::Function> {
    let intl = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("Intl")).ok()?;
    let ctor = js_sys::Reflect::get(&intl, &JsValue::from_str("DisplayNames"))
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    let opts = js_sys::Object::new();
    js_sys::Reflect::set(&opts, &"type".into(), &"region".into()).ok()?;
    let args = js_sys::Array::of2(&JsValue::from_str(lang), &opts);
    let names = js_sys::Reflect::construct(&ctor, &args).ok()?;
    let of = js_sys::Reflect::get(&names, &JsValue::from_str("of"))
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    Some(of.bind0(&names))
}

/// `(code, "Name (code)")` pairs sorted by name, in language `lang`.
pub fn country_options(lang: &str) -> Vec<(String, String)> {
    let of = region_names(lang);
    let mut list: Vec<(String, String)> = COUNTRIES
        .split_whitespace()
        .map(|code| {
            let name = of
                .as_ref()
                .and_then(|f| f.call1(&JsValue::NULL, &JsValue::from_str(code)).ok())
                .and_then(|v| v.as_string())
                .unwrap_or_else(|| code.to_string());
            (code.to_string(), format!("{name} ({code})"))
        })
        .collect();
    list.sort_by(|a, b| a.1.cmp(&b.1));
    list
}
