// In-place list edits. `Array.prototype.splice` returns a new array of what it removed, even
// when nothing is: on the per-task paths of a multi-year replay that was a tenth of all
// allocation, so the hot paths shift elements themselves.

/** Inserts `item` at index `i`, moving later elements up by one. */
export function insertAt<T>(list: T[], i: number, item: T): void {
  let k = list.length;
  list.push(item);
  for (; k > i; k--) list[k] = list[k - 1] as T;
  list[i] = item;
}

/** Removes the element at index `i`, keeping the order of the others. */
export function removeAt<T>(list: T[], i: number): void {
  const n = list.length - 1;
  for (let k = i; k < n; k++) list[k] = list[k + 1] as T;
  list.pop(); // not a length assignment: the length setter is a slow runtime call
}

/**
 * Insertion sort, stable and allocation-free (`Array.prototype.sort` copies into a work
 * array). Linear on a list that is already nearly sorted, as a re-ranked one usually is.
 */
export function sortInPlace<T>(list: T[], cmp: (a: T, b: T) => number): void {
  for (let i = 1; i < list.length; i++) {
    const x = list[i] as T;
    let k = i;
    for (; k > 0 && cmp(list[k - 1] as T, x) > 0; k--) list[k] = list[k - 1] as T;
    list[k] = x;
  }
}
