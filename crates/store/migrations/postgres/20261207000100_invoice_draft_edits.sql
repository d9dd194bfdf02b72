-- What finance changed on a draft before issuing it (domain::invoice::editing):
-- its free text, purchase order number, buyer reference and payment terms,
-- as JSON. They take the place of the mission's for this draft and are
-- frozen with the invoice when it is issued (`frozen`), so the edit itself
-- is kept only while the document is a draft. NULL: never edited.
ALTER TABLE invoices ADD COLUMN draft_edits TEXT;
