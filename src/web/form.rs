//! A form sent back because it could not be saved: shown again open, as
//! the person typed it, with each field's own message next to the field
//! and a summary at the top that links to them (the GOV.UK error summary).
//! Nothing typed is lost, and nothing the API says reaches the page: the
//! messages are [`Voice`](super::words::Voice)'s.

use super::{fields::FormErrors, words::Explained};

/// A form that failed, as it was sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Failed {
    /// The id of the form (or of the panel that holds it) on the page.
    pub form: String,
    /// What was typed, by input name.
    pub values: Vec<(String, String)>,
    /// What was wrong, field by field, then the rest.
    pub errors: FormErrors,
}

impl Failed {
    /// The form `form` as sent with `values`.
    pub fn new(form: impl Into<String>, values: Vec<(String, String)>) -> Self {
        Self {
            form: form.into(),
            values,
            errors: FormErrors::default(),
        }
    }

    /// Adds the messages of `explained`, each by the input that `input`
    /// gives for its API field (or at the top, when it gives none).
    #[must_use]
    pub fn explained(
        mut self,
        explained: Explained,
        input: impl Fn(&str) -> Option<String>,
    ) -> Self {
        for (field, text) in explained.fields {
            match input(&field) {
                Some(id) => self.errors.add(&id, text),
                None => self.errors.add_general(text),
            }
        }
        if let Some(text) = explained.general {
            self.errors.add_general(text);
        }
        self
    }
}

/// What a page's forms show: their own values, or those of the one that
/// failed; for the templates.
#[derive(Debug, Default)]
pub struct Forms {
    /// The form sent back, if any.
    pub failed: Option<Failed>,
}

impl Forms {
    /// The value of input `name` in form `form`: as typed, if that form
    /// failed, else `shown`.
    pub fn value<'a>(&'a self, form: &str, name: &str, shown: &'a str) -> &'a str {
        self.failed
            .as_ref()
            .filter(|f| f.form == form)
            .and_then(|f| f.values.iter().find(|(n, _)| n == name))
            .map_or(shown, |(_, typed)| typed.as_str())
    }

    /// Whether the form (or panel) `form` is the one sent back: it stays
    /// open.
    pub fn open(&self, form: &str) -> bool {
        self.failed.as_ref().is_some_and(|f| f.form == form)
    }

    /// The message for input `input`, if it has one.
    pub fn error(&self, input: &str) -> Option<&str> {
        self.failed.as_ref().and_then(|f| f.errors.get(input))
    }

    /// The messages of form `form` that are about no one field, for the
    /// top of that form.
    pub fn general(&self, form: &str) -> &[String] {
        self.failed
            .as_ref()
            .filter(|f| f.form == form)
            .map_or(&[], |f| f.errors.general())
    }

    /// What the form sent back got wrong, for the summary at the top.
    pub fn errors(&self) -> Option<&FormErrors> {
        self.failed.as_ref().map(|f| &f.errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_form_shows_what_was_typed_and_each_message_by_its_input() {
        let explained = Explained {
            fields: vec![("end_time".into(), "The end must be after the start.".into())],
            general: Some("Something else.".into()),
        };
        let failed = Failed::new("log", vec![("end".into(), "2025-11-15T09:00".into())])
            .explained(explained, |field| {
                (field == "end_time").then(|| "log-end".to_owned())
            });
        let forms = Forms {
            failed: Some(failed),
        };
        assert_eq!(forms.value("log", "end", "default"), "2025-11-15T09:00");
        assert_eq!(forms.value("log", "note", "default"), "default");
        assert_eq!(forms.value("s1", "end", "default"), "default");
        assert!(forms.open("log"));
        assert!(!forms.open("s1"));
        assert_eq!(
            forms.error("log-end"),
            Some("The end must be after the start.")
        );
        assert_eq!(forms.error("log-start"), None);
        let errors = forms.errors().expect("the form sent back");
        assert_eq!(errors.all().len(), 1);
        assert_eq!(forms.general("log"), ["Something else."]);
        assert!(forms.general("s1").is_empty());
    }
}
