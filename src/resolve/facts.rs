//! RESOLVE: group a page's `key_facts` by label, so that a label given twice
//! with different values becomes one disputed row instead of two rows that
//! silently contradict each other.

use crate::content::model::Fact;

/// One row of the key facts table: a label and one value, or several when
/// the sources disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactRow<'a> {
    pub label: &'a str,
    /// Each distinct value with the facts that state it.
    pub values: Vec<Vec<&'a Fact>>,
}

impl FactRow<'_> {
    pub fn is_disputed(&self) -> bool {
        self.values.len() > 1
    }
}

/// Groups facts by label (case-insensitive, in first-seen order); the same
/// value stated twice merges into one value with both facts' sources.
pub fn group(facts: &[Fact]) -> Vec<FactRow<'_>> {
    let mut rows: Vec<FactRow<'_>> = Vec::new();
    for fact in facts {
        let label = fact.label.trim();
        match rows
            .iter_mut()
            .find(|r| r.label.eq_ignore_ascii_case(label))
        {
            Some(row) => match row.values.iter_mut().find(|v| same_value(v[0], fact)) {
                Some(value) => value.push(fact),
                None => row.values.push(vec![fact]),
            },
            None => rows.push(FactRow {
                label,
                values: vec![vec![fact]],
            }),
        }
    }
    rows
}

fn same_value(a: &Fact, b: &Fact) -> bool {
    a.value.source.trim() == b.value.source.trim()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::model::Text;
    use crate::diag::Span;

    fn fact(label: &str, value: &str) -> Fact {
        let value = Text {
            source: value.into(),
            start: 0,
            exact: true,
        };
        Fact {
            label: label.into(),
            label_span: Span::default(),
            value,
            sources: vec![],
            note: None,
            as_of: None,
            review_by: None,
            span: Span::default(),
        }
    }

    #[test]
    fn same_label_with_different_values_is_disputed() {
        let facts = [
            fact("US envoy", "Witkoff"),
            fact("Date", "6 Jan"),
            fact("us envoy", "Thomas-Graham"),
        ];
        let rows = group(&facts);
        assert_eq!(rows.len(), 2);
        assert!(rows[0].is_disputed());
        assert_eq!(rows[0].values.len(), 2);
        assert!(!rows[1].is_disputed());
    }

    #[test]
    fn same_value_twice_merges_sources() {
        let facts = [fact("Date", "6 Jan"), fact("Date", "6 Jan")];
        let rows = group(&facts);
        assert!(!rows[0].is_disputed());
        assert_eq!(rows[0].values[0].len(), 2);
    }
}
