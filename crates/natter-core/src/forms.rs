//! XEP-0004 data forms, as far as the core fills them in: read a form's fields, write a
//! submit. With minidom rather than xmpp-parsers' `DataForm`, whose generated parser and
//! serializer (fields, options, media, validation) cost more wasm than all of group chat
//! (~150 KB gzip together with the pubsub types `bookmarks` also avoids); the same choice as
//! `mam`'s query.

use minidom::rxml::xml_ncname;
use minidom::Element;
use xmpp_parsers::ns;

/// The fields of a `<x xmlns='jabber:x:data'/>`, in order: `var` and values. Fields without
/// a `var` (fixed text) are skipped.
pub fn fields(form: &Element) -> Vec<(String, Vec<String>)> {
    form.children()
        .filter(|f| f.is("field", ns::DATA_FORMS))
        .filter_map(|f| {
            let var = f.attr("var")?.to_owned();
            let values = f
                .children()
                .filter(|v| v.is("value", ns::DATA_FORMS))
                .map(|v| v.text())
                .collect();
            Some((var, values))
        })
        .collect()
}

/// The form's `FORM_TYPE` (XEP-0068), if it has one.
pub fn form_type(fields: &[(String, Vec<String>)]) -> Option<&str> {
    fields
        .iter()
        .find(|(var, _)| var == "FORM_TYPE")
        .and_then(|(_, values)| values.first())
        .map(String::as_str)
}

/// One field of a submit: its `var`, its `type` where the receiver needs it, its value.
pub struct Value<'a> {
    pub var: &'a str,
    pub type_: Option<&'a str>,
    pub value: String,
}

impl<'a> Value<'a> {
    pub fn text(var: &'a str, value: impl Into<String>) -> Self {
        Value {
            var,
            type_: None,
            value: value.into(),
        }
    }

    pub fn flag(var: &'a str, on: bool) -> Self {
        Value {
            var,
            type_: Some("boolean"),
            value: if on { "1" } else { "0" }.into(),
        }
    }
}

/// A `type='submit'` form of `form_type` (`None`: an empty submit, which accepts defaults).
pub fn submit(form_type: Option<&str>, values: Vec<Value>) -> Element {
    let mut form = Element::builder("x", ns::DATA_FORMS).attr(xml_ncname!("type").into(), "submit");
    if let Some(form_type) = form_type {
        form = form.append(field("FORM_TYPE", Some("hidden"), form_type));
    }
    for value in values {
        form = form.append(field(value.var, value.type_, &value.value));
    }
    form.build()
}

fn field(var: &str, type_: Option<&str>, value: &str) -> Element {
    let mut field = Element::builder("field", ns::DATA_FORMS).attr(xml_ncname!("var").into(), var);
    if let Some(type_) = type_ {
        field = field.attr(xml_ncname!("type").into(), type_);
    }
    field
        .append(
            Element::builder("value", ns::DATA_FORMS)
                .append(value)
                .build(),
        )
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_submit_reads_back() {
        let form = submit(
            Some("urn:example"),
            vec![Value::text("name", "Coven"), Value::flag("open", false)],
        );
        assert_eq!(form.attr("type"), Some("submit"));
        let read = fields(&form);
        assert_eq!(form_type(&read), Some("urn:example"));
        assert_eq!(read[1], ("name".into(), vec!["Coven".into()]));
        assert_eq!(read[2], ("open".into(), vec!["0".into()]));
        let empty = submit(None, Vec::new());
        assert_eq!(empty.children().count(), 0);
    }
}
