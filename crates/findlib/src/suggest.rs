//! "Did you mean ...?": the nearest known name to a misspelt one.

/// Edit distance between `a` and `b`: insertions, deletions, substitutions
/// and swaps of two neighbouring characters each count one. Letters that
/// differ only in case count half as much as other substitutions, which is
/// why the distance is returned doubled.
fn doubled_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for (i, cell) in d.iter_mut().step_by(width).enumerate() {
        *cell = 2 * i;
    }
    for (j, cell) in d.iter_mut().take(width).enumerate() {
        *cell = 2 * j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let subst = if a[i - 1] == b[j - 1] {
                0
            } else if a[i - 1].eq_ignore_ascii_case(&b[j - 1]) {
                1
            } else {
                2
            };
            let mut best = (d[(i - 1) * width + j] + 2)
                .min(d[i * width + j - 1] + 2)
                .min(d[(i - 1) * width + j - 1] + subst);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 2);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

/// The candidate nearest to `name`, if it is near enough to be a likely
/// misspelling: at most one edit per three characters of `name` (and at
/// least one edit allowed). Ties go to the first candidate.
pub(crate) fn nearest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let allowed = 2 * (name.chars().count() / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if c == name {
            continue;
        }
        let d = doubled_distance(name, c);
        if d <= allowed && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_letter_typo_is_suggested() {
        assert_eq!(
            nearest("yojsn", ["re", "yojson", "lwt"]),
            Some("yojson".into())
        );
    }

    #[test]
    fn swapped_letters_count_as_one_edit() {
        assert_eq!(nearest("lwt.unxi", ["lwt.unix"]), Some("lwt.unix".into()));
    }

    #[test]
    fn case_difference_is_preferred_over_other_edits() {
        assert_eq!(nearest("Str", ["sty", "str"]), Some("str".into()));
    }

    #[test]
    fn far_names_are_not_suggested() {
        assert_eq!(nearest("cmdliner", ["zarith", "yojson"]), None);
    }

    #[test]
    fn short_names_allow_one_edit() {
        assert_eq!(nearest("re", ["ra", "rex"]), Some("ra".into()));
        assert_eq!(nearest("re", ["xyz"]), None);
    }
}
