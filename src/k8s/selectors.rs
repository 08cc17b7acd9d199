//! Label selector semantics (`matchLabels` and `matchExpressions`), as the API server applies them.

use super::model::{Labels, Requirement, Selector};

/// Whether `labels` satisfy every requirement. `None` when an operator is unknown (stay silent).
pub(crate) fn matches(sel: &Selector, labels: &Labels) -> Option<bool> {
    let mut ok = sel.match_labels.iter().all(|(k, v)| labels.get(&k.value) == Some(v));
    for r in &sel.match_expressions {
        ok &= requirement_holds(r, labels)?;
    }
    Some(ok)
}

fn requirement_holds(r: &Requirement, labels: &Labels) -> Option<bool> {
    let v = labels.get(&r.key);
    Some(match r.operator.as_str() {
        "In" => v.is_some_and(|v| r.values.contains(v)),
        "NotIn" => v.is_none_or(|v| !r.values.contains(v)),
        "Exists" => v.is_some(),
        "DoesNotExist" => v.is_none(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::k8s::model::Spanned;
    use crate::source::Span;

    #[test]
    fn match_labels_and_expressions() {
        let labels: Labels = [
            ("tier".to_owned(), "fe".to_owned()),
            ("app".to_owned(), "old".to_owned()),
            ("app".to_owned(), "web".to_owned()),
        ]
        .into_iter()
        .collect();
        assert_eq!(
            labels.get("app").map(String::as_str),
            Some("web"),
            "a name given twice keeps its last value"
        );
        assert_eq!(
            (&labels).into_iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
            ["app", "tier"]
        );
        let mut more = labels.clone();
        more.insert("tier".to_owned(), "be".to_owned());
        more.insert("env".to_owned(), "prod".to_owned());
        assert_eq!(
            (&more).into_iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>(),
            ["app=web", "env=prod", "tier=be"]
        );
        let mut sel = Selector::default();
        sel.match_labels
            .push((Spanned::new("app".into(), Span::default()), "web".into()));
        assert_eq!(matches(&sel, &labels), Some(true));
        sel.match_expressions.push(Requirement {
            key: "tier".into(),
            operator: "In".into(),
            values: vec!["be".into()],
        });
        assert_eq!(matches(&sel, &labels), Some(false));
        sel.match_expressions[0].operator = "Weird".into();
        assert_eq!(matches(&sel, &labels), None);
    }
}
