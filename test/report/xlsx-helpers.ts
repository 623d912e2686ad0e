import { readFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
// jszip comes with exceljs (a dependency of it, not of ours): used here only, to read raw XML.
import JSZip from 'jszip';

export async function readWorkbook(path: string): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(path);
  return wb;
}

/** The text of one part of the zip (e.g. `xl/workbook.xml`). */
export async function partText(path: string, name: string): Promise<string> {
  const f = (await JSZip.loadAsync(await readFile(path))).file(name);
  if (f === null) throw new Error(`${name} missing from the zip`);
  return f.async('string');
}

/** Raw XML of every worksheet, keyed by the sheet's name (resolved through workbook.xml and its rels). */
export async function sheetXml(path: string): Promise<Map<string, string>> {
  const zip = await JSZip.loadAsync(await readFile(path));
  const text = async (name: string): Promise<string> => {
    const f = zip.file(name);
    if (f === null) throw new Error(`${name} missing from the zip`);
    return f.async('string');
  };
  const workbook = await text('xl/workbook.xml');
  const rels = await text('xl/_rels/workbook.xml.rels');
  const targets = new Map<string, string>();
  for (const m of rels.matchAll(/<Relationship\b[^>]*>/g)) {
    const id = /Id="([^"]+)"/.exec(m[0])?.[1];
    const target = /Target="([^"]+)"/.exec(m[0])?.[1];
    if (id && target) targets.set(id, target.replace(/^\/?(xl\/)?/, 'xl/'));
  }
  const out = new Map<string, string>();
  for (const m of workbook.matchAll(/<sheet\b[^>]*>/g)) {
    const name = /name="([^"]+)"/.exec(m[0])?.[1];
    const rid = /r:id="([^"]+)"/.exec(m[0])?.[1];
    const target = rid === undefined ? undefined : targets.get(rid);
    if (name && target) out.set(name, await text(target));
  }
  return out;
}

/** Names of the direct children of the root element, in document order (a minimal XML walk). */
export function rootChildren(xml: string): string[] {
  const names: string[] = [];
  let depth = 0;
  // Text and attribute values are escaped (&lt; &gt;), so every < … > here is markup.
  for (const m of xml.matchAll(/<(\/?)([A-Za-z_][\w:.-]*)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = m;
    if (closing) {
      depth--;
      continue;
    }
    if (depth === 1) names.push(name as string);
    if (!selfClosing) depth++;
  }
  return names;
}

/** CT_Worksheet's child sequence (ECMA-376 Part 1, sml.xsd): Excel repairs files out of this order. */
const WORKSHEET_ORDER = [
  'sheetPr',
  'dimension',
  'sheetViews',
  'sheetFormatPr',
  'cols',
  'sheetData',
  'sheetCalcPr',
  'sheetProtection',
  'protectedRanges',
  'scenarios',
  'autoFilter',
  'sortState',
  'dataConsolidate',
  'customSheetViews',
  'mergeCells',
  'phoneticPr',
  'conditionalFormatting',
  'dataValidations',
  'hyperlinks',
  'printOptions',
  'pageMargins',
  'pageSetup',
  'headerFooter',
  'rowBreaks',
  'colBreaks',
  'customProperties',
  'cellWatches',
  'ignoredErrors',
  'smartTags',
  'drawing',
  'legacyDrawing',
  'legacyDrawingHF',
  'drawingHF',
  'picture',
  'oleObjects',
  'controls',
  'webPublishItems',
  'tableParts',
  'extLst',
];

/** The first pair of children out of schema order (or unknown), or null when the order is valid. */
export function orderViolation(children: readonly string[]): string | null {
  let last = -1;
  let lastName = '';
  for (const name of children) {
    const i = WORKSHEET_ORDER.indexOf(name);
    if (i < 0) return `unknown element <${name}>`;
    if (i < last || (i === last && name !== 'conditionalFormatting')) return `<${name}> after <${lastName}>`;
    last = i;
    lastName = name;
  }
  return null;
}
