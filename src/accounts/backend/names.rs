//! Randomly generated, readable organization and group names.
//!
//! The seed says non-enterprise organizations get generated names they cannot edit, so the names
//! must be pleasant to read on a dashboard: "Amber Otter Studio", "Quiet Comet Team".

use rand::seq::IndexedRandom;

const ADJECTIVES: &[&str] = &[
    "Amber", "Azure", "Bold", "Brave", "Bright", "Calm", "Clever", "Cobalt", "Coral", "Crimson", "Daring", "Gentle", "Golden", "Happy", "Hidden", "Jade",
    "Lively", "Lucky", "Lunar", "Mellow", "Misty", "Nimble", "Noble", "Quiet", "Rapid", "Rosy", "Silver", "Solar", "Steady", "Swift", "Tidal", "Velvet",
    "Vivid", "Wild", "Wise", "Zesty",
];
const NOUNS: &[&str] = &[
    "Anchor", "Aspen", "Badger", "Beacon", "Birch", "Canyon", "Cedar", "Comet", "Cricket", "Delta", "Ember", "Falcon", "Fern", "Fjord", "Harbor", "Heron",
    "Lantern", "Maple", "Meadow", "Meteor", "Orchid", "Otter", "Pebble", "Pine", "Quartz", "Raven", "Ridge", "River", "Sparrow", "Summit", "Thistle", "Tiger",
    "Willow", "Wren",
];
const ORG_SUFFIXES: &[&str] = &["Studio", "Collective", "Works", "Labs", "House", "Co."];

fn pick(list: &'static [&'static str]) -> &'static str {
    list.choose(&mut rand::rng()).copied().unwrap_or("Bright")
}

pub fn organization_name() -> String {
    format!("{} {} {}", pick(ADJECTIVES), pick(NOUNS), pick(ORG_SUFFIXES))
}

pub fn group_name() -> String {
    format!("{} {} Team", pick(ADJECTIVES), pick(NOUNS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_readable_words() {
        for _ in 0..50 {
            let org = organization_name();
            let words: Vec<_> = org.split(' ').collect();
            assert_eq!(words.len(), 3, "{org}");
            assert!(words.iter().all(|w| w.chars().next().is_some_and(char::is_uppercase)), "{org}");
            assert!(group_name().ends_with(" Team"));
        }
    }

    #[test]
    fn names_vary() {
        let names: std::collections::HashSet<_> = (0..30).map(|_| organization_name()).collect();
        assert!(names.len() > 10, "got only {} distinct names", names.len());
    }
}
