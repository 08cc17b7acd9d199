//! The cross-file world: every file's facts and claims, indexed for the rules.
pub mod endpoints;
pub mod images;
pub mod interpolate;
pub mod invocations;
pub(crate) mod layered;
pub mod listen;
pub mod names;
pub mod project;
pub mod stack;
pub mod units;

pub use stack::Stack;

/// Whether `text` contains the ASCII `needle`, ignoring ASCII case, without a lower-cased copy
/// (asked of every environment value or name by several rules).
pub(crate) fn contains_ignore_ascii_case(text: &str, needle: &str) -> bool {
    text.as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Whether `text` ends with the ASCII `suffix`, ignoring ASCII case, without a copy.
pub(crate) fn ends_with_ignore_ascii_case(text: &str, suffix: &str) -> bool {
    text.len() >= suffix.len() && text.as_bytes()[text.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

/// The position of `item` in `slice` when it is one of the slice's elements, found by address in
/// constant time. Rules hold references into the model's lists; this finds what was computed once
/// per element (service facts, doc keys) without comparing names.
pub(crate) fn position_in<T>(slice: &[T], item: &T) -> Option<usize> {
    let size = std::mem::size_of::<T>();
    if size == 0 {
        return None;
    }
    let at = (item as *const T as usize).checked_sub(slice.as_ptr() as usize)?;
    (at % size == 0 && at / size < slice.len()).then_some(at / size)
}
