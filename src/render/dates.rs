//! RENDER: dates as readers see them, in one place. Input: a [`Date`] or a
//! [`When`] (a date as precise as the sources give it); output: words.
//!
//! Every word is in [`Words`], one table per language, so that a site in
//! another language needs a table and nothing else. Only English exists
//! today; `site.yaml`'s `language` picks it through [`words`].

use crate::content::model::{Date, Precision, When};

/// The words dates are written with in one language.
pub struct Words {
    pub months: [&'static str; 12],
    pub months_short: [&'static str; 12],
    /// Before an approximate date: "c. April 2025".
    pub circa: &'static str,
    /// A meeting whose date is `tbd`.
    pub to_be_announced: &'static str,
    /// Before a fact's `as_of` date.
    pub as_of: &'static str,
}

pub const ENGLISH: Words = Words {
    months: [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    months_short: [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ],
    circa: "c.",
    to_be_announced: "date to be announced",
    as_of: "as of",
};

/// The table for a language code; English until others are written.
pub fn words(_language: &str) -> &'static Words {
    &ENGLISH
}

fn month(w: &Words, d: &Date) -> &'static str {
    w.months[usize::from(d.month.clamp(1, 12) - 1)]
}

/// "6 January 2026".
pub fn day(d: &Date) -> String {
    format!("{} {} {}", d.day, month(&ENGLISH, d), d.year)
}

/// "April 2025" of any date: a month heading.
pub fn month_year(d: &Date) -> String {
    format!("{} {}", month(&ENGLISH, d), d.year)
}

/// As written, never padded to a day: "2025", "April 2025",
/// "6 April 2025", each after "c." when approximate.
pub fn when(w: &When) -> String {
    let d = &w.first;
    let text = match w.precision {
        Precision::Year => d.year.to_string(),
        Precision::Month => month_year(d),
        Precision::Day => day(d),
    };
    circa(w, text)
}

/// A date or "date to be announced".
pub fn when_or_tbd(w: Option<&When>) -> String {
    w.map_or_else(|| ENGLISH.to_be_announced.to_owned(), when)
}

/// From one date to another, each as written: "April 2025 – 2 May 2025".
pub fn range(start: &When, end: &When) -> String {
    format!("{} – {}", when(start), when(end))
}

/// "as of 6 January 2026".
pub fn as_of(w: &When) -> String {
    format!("{} {}", ENGLISH.as_of, when(w))
}

/// Short, under a month heading on the timeline: "6 Jan", "Apr", "2025".
pub fn short(w: &When) -> String {
    let d = &w.first;
    let text = match w.precision {
        Precision::Year => d.year.to_string(),
        Precision::Month => ENGLISH.months_short[usize::from(d.month.clamp(1, 12) - 1)].to_owned(),
        Precision::Day => format!(
            "{} {}",
            d.day,
            ENGLISH.months_short[usize::from(d.month.clamp(1, 12) - 1)]
        ),
    };
    circa(w, text)
}

fn circa(w: &When, text: String) -> String {
    if w.approximate {
        format!("{} {text}", ENGLISH.circa)
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> When {
        When::parse(s).unwrap()
    }

    #[test]
    fn dates_are_shown_as_precise_as_written() {
        assert_eq!(when(&w("2025")), "2025");
        assert_eq!(when(&w("2025-04")), "April 2025");
        assert_eq!(when(&w("~2025-04")), "c. April 2025");
        assert_eq!(when(&w("2026-01-06")), "6 January 2026");
        assert_eq!(when_or_tbd(None), "date to be announced");
        assert_eq!(as_of(&w("2026-01-06")), "as of 6 January 2026");
        assert_eq!(short(&w("~2025-04")), "c. Apr");
        assert_eq!(short(&w("2026-01-06")), "6 Jan");
    }
}
