//! SIREN and SIRET check digits, the one rule the importer and the SHACL
//! component `bia:luhn` share.
//!
//! A SIREN (9 digits) or SIRET (14 digits) passes the Luhn check: from the
//! right, every second digit is doubled (minus 9 when over 9) and the sum is
//! a multiple of 10. La Poste is INSEE's exception: its establishments'
//! SIRETs (SIREN 356000000) have a plain digit sum that is a multiple of 5
//! instead, except its head office (35600000000048), which passes Luhn.

/// The SIREN of La Poste.
pub const LA_POSTE: &str = "356000000";

/// The SIRET of La Poste's head office, the one that follows Luhn.
pub const LA_POSTE_HEAD_OFFICE: &str = "35600000000048";

/// The Luhn sum of ASCII digits: from the right, the digits at odd
/// positions (`doubled` = 1) or even ones (0) are doubled, minus 9 when over 9.
fn luhn_sum(digits: &str, doubled: usize) -> u32 {
    digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            match (i % 2 == doubled, d) {
                (true, d) if d > 4 => d * 2 - 9,
                (true, d) => d * 2,
                (false, d) => d,
            }
        })
        .sum()
}

/// Whether a string of ASCII digits passes the Luhn check.
pub fn luhn(digits: &str) -> bool {
    luhn_sum(digits, 1).is_multiple_of(10)
}

/// The Luhn check digit that completes `payload` (ASCII digits): the digit
/// after it takes the first place, so the payload's last digit is doubled.
pub fn check_digit(payload: &str) -> char {
    char::from(b'0' + ((10 - luhn_sum(payload, 0) % 10) % 10) as u8)
}

/// Whether a SIREN or SIRET, as 9 or 14 ASCII digits, has a valid key
/// (Luhn, with La Poste's exception). `false` for anything else.
pub fn has_valid_key(id: &str) -> bool {
    if !matches!(id.len(), 9 | 14) || !id.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    if id.len() == 14 && id.starts_with(LA_POSTE) {
        let sum: u32 = id.bytes().map(|b| u32::from(b - b'0')).sum();
        return sum.is_multiple_of(5) || id == LA_POSTE_HEAD_OFFICE;
    }
    luhn(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_with_la_poste_exception() {
        assert!(has_valid_key("732829320"), "a valid SIREN");
        assert!(has_valid_key("73282932000074"), "a valid SIRET");
        assert!(!has_valid_key("73282932000075"), "one digit off");
        assert!(has_valid_key("356000000"), "La Poste's SIREN passes Luhn");
        assert!(!luhn("35600000049837"));
        assert!(has_valid_key("35600000049837"), "digit sum multiple of 5");
        assert!(
            has_valid_key("35600000000048"),
            "the head office passes Luhn"
        );
        assert!(!has_valid_key("35600000049838"));
        assert!(
            !has_valid_key("35600000000139"),
            "another La Poste SIRET that only passes Luhn"
        );
        assert!(!has_valid_key("7328293200007"), "13 digits");
        assert!(!has_valid_key("73282932A"), "not digits");
        // 732829320 is a valid SIREN; 79927398713 the textbook Luhn number.
        assert_eq!(check_digit("73282932"), '0');
        assert_eq!(check_digit("7992739871"), '3');
    }
}
