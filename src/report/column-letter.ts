/** A column's letters from its number: 1 → A, 26 → Z, 27 → AA (up to ZZ; our sheets have a dozen or so). */
export function columnLetter(n: number): string {
  let s = '';
  let x = n;
  while (x > 0) {
    const r = (x - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    x = Math.floor((x - 1) / 26);
  }
  return s;
}
