/// Splits the input at NUL bytes into the texts of the files `names` (extra parts are dropped).
pub fn files(data: &[u8], names: &[&str]) -> Option<Vec<(String, String)>> {
    let text = std::str::from_utf8(data).ok()?;
    Some(
        text.split('\0')
            .zip(names)
            .map(|(t, n)| ((*n).to_owned(), t.to_owned()))
            .collect(),
    )
}
