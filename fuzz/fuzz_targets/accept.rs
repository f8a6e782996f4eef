//! Content negotiation (`http::negotiate::choose`): the first line is the
//! `Accept` header (none when the input is empty), the next ones `format=`
//! values. Always one of the offers, or a 406.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let header = lines.next().filter(|_| !data.is_empty());
    let format: Vec<String> = lines.take(4).map(str::to_owned).collect();
    let offers = bibia::fuzzing::accept_offers();
    match bibia::fuzzing::accept(header, &format) {
        Ok(chosen) => assert!(offers.contains(&chosen), "{chosen}"),
        Err(status) => assert_eq!(status, 406),
    }
    if header.is_none_or(|h| h.trim().is_empty()) && format.iter().all(|f| f.trim().is_empty()) {
        assert_eq!(bibia::fuzzing::accept(header, &format), Ok(offers[0]));
    }
});
