//! What was wrong with a form, as the person reads it: each field's own
//! message beside the field, and a summary above the form that links to
//! each (the GOV.UK Design System's error message and error summary).
//!
//! The messages are the page's own sentences, chosen by field from what
//! was typed; the API's `field: message` details are for programs.

/// One field's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMessage {
    /// The `id` of the input it is about, which the summary links to.
    pub id: String,
    /// What is wrong and how to put it right.
    pub text: String,
}

/// A form's errors: each field's, in the order of the fields, and those
/// about no one field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormErrors {
    fields: Vec<FieldMessage>,
    general: Vec<String>,
}

impl FormErrors {
    /// Adds the message of the input `id` (the first one of a field wins).
    pub fn add(&mut self, id: &str, text: impl Into<String>) {
        if self.get(id).is_none() {
            self.fields.push(FieldMessage {
                id: id.to_owned(),
                text: text.into(),
            });
        }
    }

    /// Adds a message about the whole form.
    pub fn add_general(&mut self, text: impl Into<String>) {
        self.general.push(text.into());
    }

    /// The message of input `id`, if it has one.
    pub fn get(&self, id: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|m| m.id == id)
            .map(|m| m.text.as_str())
    }

    /// Whether the form was fine.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.general.is_empty()
    }

    /// Every field's message, for the summary (each links to its field).
    pub fn all(&self) -> &[FieldMessage] {
        &self.fields
    }

    /// The messages about no one field, for the top of the form.
    pub fn general(&self) -> &[String] {
        &self.general
    }

    /// The attributes an input with a message carries, so that a screen
    /// reader reads the message with it; nothing for a fine input.
    pub fn aria(&self, id: &str) -> String {
        match self.get(id) {
            Some(_) => format!(r#" aria-invalid="true" aria-describedby="{id}-error""#),
            None => String::new(),
        }
    }
}

/// How long to wait, as a person says it: "40 seconds", "1 minute",
/// "14 minutes" (rounded up, so that trying then works).
pub fn wait(seconds: u64) -> String {
    match seconds {
        0..=59 => format!("{seconds} second{}", if seconds == 1 { "" } else { "s" }),
        _ => {
            let minutes = seconds.div_ceil(60);
            format!("{minutes} minute{}", if minutes == 1 { "" } else { "s" })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wait_is_said_in_whole_seconds_or_minutes_rounded_up() {
        assert_eq!(
            [1, 40, 60, 61, 840].map(wait),
            [
                "1 second",
                "40 seconds",
                "1 minute",
                "2 minutes",
                "14 minutes"
            ]
        );
    }

    #[test]
    fn each_field_keeps_its_first_message_in_order() {
        let mut errors = FormErrors::default();
        errors.add("email", "Enter an email address");
        errors.add("name", "Enter your name");
        errors.add("email", "a second message");
        assert_eq!(errors.get("email"), Some("Enter an email address"));
        assert_eq!(
            errors
                .all()
                .iter()
                .map(|m| m.id.as_str())
                .collect::<Vec<_>>(),
            ["email", "name"]
        );
        assert_eq!(
            errors.aria("name"),
            r#" aria-invalid="true" aria-describedby="name-error""#
        );
        assert_eq!(errors.aria("password"), "");
    }
}
