//! RENDER: dates as readers see them, in one place. Input: a [`Date`] or a
//! [`When`] (a date as precise as the sources give it) and the words of
//! the site's language ([`DateWords`], from its translation file); output:
//! words.
//!
//! The patterns and month names come from the translation files, not from
//! here: Ukrainian writes a day with the month in the genitive ("6 січня
//! 2026") and a month alone in the nominative ("квітень 2025"), so a file
//! gives both lists.

use crate::content::model::{Date, Precision, When};
pub use crate::i18n::DateWords;
use crate::i18n::fill;

fn nth<'a>(names: &'a [String], d: &Date) -> &'a str {
    let at = usize::from(d.month.clamp(1, 12) - 1);
    names.get(at).map_or("", String::as_str)
}

/// "6 January 2026".
pub fn day(w: &DateWords, d: &Date) -> String {
    let (day, year) = (d.day.to_string(), d.year.to_string());
    let month = nth(&w.months, d);
    fill(&w.day, &[("day", &day), ("month", month), ("year", &year)])
}

/// "April 2025" of any date: a month heading.
pub fn month_year(w: &DateWords, d: &Date) -> String {
    let year = d.year.to_string();
    let month = nth(&w.months_standalone, d);
    fill(&w.month, &[("month", month), ("year", &year)])
}

fn year(w: &DateWords, d: &Date) -> String {
    fill(&w.year, &[("year", &d.year.to_string())])
}

/// As written, never padded to a day: "2025", "April 2025",
/// "6 April 2025", each after "c." when approximate.
pub fn when(w: &DateWords, when: &When) -> String {
    let d = &when.first;
    let text = match when.precision {
        Precision::Year => year(w, d),
        Precision::Month => month_year(w, d),
        Precision::Day => day(w, d),
    };
    circa(w, when, text)
}

/// A date or "date to be announced".
pub fn when_or_tbd(w: &DateWords, date: Option<&When>) -> String {
    date.map_or_else(|| w.to_be_announced.clone(), |d| when(w, d))
}

/// From one date to another, each as written: "April 2025 – 2 May 2025".
pub fn range(w: &DateWords, start: &When, end: &When) -> String {
    let (from, to) = (when(w, start), when(w, end));
    fill(&w.range, &[("from", &from), ("to", &to)])
}

/// "as of 6 January 2026".
pub fn as_of(w: &DateWords, date: &When) -> String {
    fill(&w.as_of, &[("date", &when(w, date))])
}

/// Short, under a month heading on the timeline: "6 Jan", "Apr", "2025".
pub fn short(w: &DateWords, when: &When) -> String {
    let d = &when.first;
    let text = match when.precision {
        Precision::Year => year(w, d),
        Precision::Month => nth(&w.months_short, d).to_owned(),
        Precision::Day => {
            let (day, month) = (d.day.to_string(), nth(&w.months_short, d));
            fill(&w.short_day, &[("day", &day), ("month", month)])
        }
    };
    circa(w, when, text)
}

fn circa(w: &DateWords, when: &When, text: String) -> String {
    if when.approximate {
        fill(&w.circa, &[("date", &text)])
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Catalog;

    fn w(s: &str) -> When {
        When::parse(s).unwrap()
    }

    #[test]
    fn dates_are_shown_as_precise_as_written() {
        let en = &Catalog::english().dates;
        assert_eq!(when(en, &w("2025")), "2025");
        assert_eq!(when(en, &w("2025-04")), "April 2025");
        assert_eq!(when(en, &w("~2025-04")), "c. April 2025");
        assert_eq!(when(en, &w("2026-01-06")), "6 January 2026");
        assert_eq!(when_or_tbd(en, None), "date to be announced");
        assert_eq!(as_of(en, &w("2026-01-06")), "as of 6 January 2026");
        assert_eq!(short(en, &w("~2025-04")), "c. Apr");
        assert_eq!(short(en, &w("2026-01-06")), "6 Jan");
    }

    #[test]
    fn ukrainian_days_take_the_genitive_and_months_alone_the_nominative() {
        let uk = &crate::i18n::load::builtin("uk").dates;
        assert_eq!(when(uk, &w("2026-01-06")), "6 січня 2026");
        assert_eq!(when(uk, &w("2025-04")), "квітень 2025");
        assert_eq!(when(uk, &w("2025")), "2025");
        assert_eq!(when(uk, &w("~2025-04")), "прибл. квітень 2025");
        assert_eq!(when_or_tbd(uk, None), "дату ще не оголошено");
        assert_eq!(as_of(uk, &w("2026-01-06")), "станом на 6 січня 2026");
        assert_eq!(short(uk, &w("2026-01-06")), "6 січ.");
    }
}
