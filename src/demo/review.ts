import ExcelJS from 'exceljs';

/**
 * The demo's reviewer: fills in a report's Access Review as a person would in a
 * spreadsheet, deciding `Revoke` (with a reason) on each direct grant the reconciliation
 * suggests revoking (the leaver's), and nothing else. Only Decision and Reason cells are
 * touched, so `review import` accepts the file as this database's report.
 */
export async function fillDemoReview(reportPath: string, outPath: string): Promise<string[]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(reportPath);
  const sheet = wb.getWorksheet('Access Review');
  if (!sheet) throw new Error(`${reportPath} has no Access Review sheet`);
  const column = (header: string): number => {
    let at = 0;
    sheet.getRow(1).eachCell((cell, i) => {
      if (cell.value === header) at = i;
    });
    if (at === 0) throw new Error(`${reportPath}: the Access Review has no ${header} column`);
    return at;
  };
  const [suggested, via, decision, reason, email, role] = [
    'Suggested decision',
    'Via',
    'Decision',
    'Reason',
    'Email',
    'Role',
  ].map(column) as [number, number, number, number, number, number];
  const revoked: string[] = [];
  sheet.eachRow((row, n) => {
    if (n === 1) return;
    const suggestion = String(row.getCell(suggested).value ?? '');
    if (!suggestion.startsWith('Revoke') || row.getCell(via).value !== 'direct') return;
    row.getCell(decision).value = 'Revoke';
    row.getCell(reason).value = 'Left the company (HR roster); access must end';
    revoked.push(`${row.getCell(role).value} of ${row.getCell(email).value}`);
  });
  await wb.xlsx.writeFile(outPath);
  return revoked;
}
