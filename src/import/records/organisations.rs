//! The organisations of an import: deduplicated by SIREN, then by folded
//! name, across the rows, and reusing those already stored.

use super::*;

/// An organisation as this import sees it.
#[derive(Debug)]
pub(super) struct Draft {
    pub(super) iri: NamedNode,
    /// Already in the store (its stored record is merged, not replaced).
    pub(super) stored: bool,
    pub(super) spellings: Vec<String>,
    pub(super) siren: Option<String>,
    pub(super) sirets: BTreeSet<String>,
    pub(super) org_type: Option<NamedNode>,
    pub(super) first_row: usize,
}

/// Organisations met in the file, deduplicated by SIREN then by folded name,
/// reusing stored organisations.
pub(super) struct Registry<'a> {
    pub(super) stores: &'a Stores,
    pub(super) index: &'a OrganisationIndex,
    pub(super) base: &'a BaseIri,
    pub(super) drafts: Vec<Draft>,
    pub(super) by_iri: HashMap<NamedNode, usize>,
    pub(super) by_siren: HashMap<String, usize>,
    pub(super) by_name: HashMap<String, usize>,
}

impl Registry<'_> {
    pub(super) fn resolve(
        &mut self,
        name: &str,
        siren: Option<&str>,
        row: usize,
    ) -> Result<usize, StoreError> {
        let key = fold(name);
        let compatible = |other: Option<&str>| siren.is_none() || other.is_none() || other == siren;
        let mut found = siren.and_then(|s| self.by_siren.get(s).copied());
        if found.is_none()
            && let Some(iri) = siren.and_then(|s| self.index.by_siren.get(s))
        {
            found = Some(self.draft(iri.clone(), true, row));
        }
        if found.is_none() {
            found = self
                .by_name
                .get(&key)
                .copied()
                .filter(|&i| compatible(self.drafts[i].siren.as_deref()));
        }
        if found.is_none()
            && let Some(iri) = self.index.by_name.get(&key)
        {
            let stored_siren = self.index.siren_of.get(iri).cloned().flatten();
            if compatible(stored_siren.as_deref()) {
                found = Some(self.draft(iri.clone(), true, row));
            }
        }
        let i = match found {
            Some(i) => i,
            None => {
                let iri = self.fresh_iri(name, siren)?;
                self.draft(iri, false, row)
            }
        };
        let d = &mut self.drafts[i];
        if !d.spellings.iter().any(|s| s == name) {
            d.spellings.push(name.to_owned());
        }
        if d.siren.is_none() {
            d.siren = siren.map(str::to_owned);
        }
        if let Some(s) = &d.siren {
            self.by_siren.entry(s.clone()).or_insert(i);
        }
        self.by_name.entry(key).or_insert(i);
        Ok(i)
    }

    pub(super) fn draft(&mut self, iri: NamedNode, stored: bool, row: usize) -> usize {
        if let Some(&i) = self.by_iri.get(&iri) {
            return i;
        }
        let siren = if stored {
            self.index.siren_of.get(&iri).cloned().flatten()
        } else {
            None
        };
        self.drafts.push(Draft {
            iri: iri.clone(),
            stored,
            spellings: Vec::new(),
            siren,
            sirets: BTreeSet::new(),
            org_type: None,
            first_row: row,
        });
        let i = self.drafts.len() - 1;
        self.by_iri.insert(iri, i);
        i
    }

    /// `/id/organisation/{slug(name)}`, or with the SIREN (or a counter)
    /// appended when that IRI is already another organisation's.
    pub(super) fn fresh_iri(
        &self,
        name: &str,
        siren: Option<&str>,
    ) -> Result<NamedNode, StoreError> {
        let s = slug(name);
        let mut candidates = vec![s.clone()];
        if let Some(siren) = siren {
            candidates.push(format!("{s}-{siren}"));
        }
        candidates.extend((2..1000).map(|n| format!("{s}-{n}")));
        for c in candidates {
            let iri = self.base.join(&format!("id/organisation/{c}"));
            if !self.by_iri.contains_key(&iri)
                && !self.index.siren_of.contains_key(&iri)
                && !self.stores.has_subject(&iri)?
            {
                return Ok(iri);
            }
        }
        Ok(self
            .base
            .join(&format!("id/organisation/{s}-{}", self.drafts.len())))
    }
}
