/** `text` on one line: each line break, with the blanks around it, becomes one space (logs and rows stay one line a message). */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}
