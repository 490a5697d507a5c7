// Variant normalisation (trim shared bases, left-align indels in repeats) so that the same
// event written two ways compares equal: the vt/bcftools-norm algorithm on one contig.
export interface Allele {
  /** 0-based position of ref[0]. */
  pos: number;
  ref: string;
  alt: string;
}

export function normalizeVariant(seq: Uint8Array, v: Allele): Allele {
  let { pos, ref, alt } = v;
  if (ref.length === 1 && alt.length === 1) return v;
  for (;;) {
    // Trim a shared last base; when an allele empties, extend both one base to the left.
    if (ref.length > 0 && alt.length > 0 && ref[ref.length - 1] === alt[alt.length - 1]) {
      ref = ref.slice(0, -1);
      alt = alt.slice(0, -1);
      continue;
    }
    if ((ref.length === 0 || alt.length === 0) && pos > 0) {
      pos--;
      const b = String.fromCharCode(seq[pos]!);
      ref = b + ref;
      alt = b + alt;
      continue;
    }
    break;
  }
  // Trim shared leading bases while both alleles keep at least one base.
  while (ref.length > 1 && alt.length > 1 && ref[0] === alt[0]) {
    ref = ref.slice(1);
    alt = alt.slice(1);
    pos++;
  }
  return { pos, ref, alt };
}

/**
 * End (exclusive) of the repeat an indel sits in: how far right the same event could be written.
 * A read must reach past this to tell the indel allele from the reference.
 */
export function indelRepeatEnd(seq: Uint8Array, v: Allele): number {
  const ins = v.alt.length > v.ref.length;
  const unit = ins ? v.alt.slice(1) : v.ref.slice(1);
  let p = v.pos + 1 + (ins ? 0 : unit.length);
  let k = 0;
  while (p < seq.length && seq[p] === unit.charCodeAt(k % unit.length)) {
    p++;
    k++;
  }
  return p;
}
