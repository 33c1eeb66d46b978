// A CSV reader (RFC 4180): quoted fields across lines, doubled quotes, CRLF or LF, a leading BOM.
// It never throws: an unterminated quote comes back as an error with its line. Rosters read with it,
// and the tests read the class CSV back with it.

export interface CsvRecord {
  fields: string[];
  /** Line where the record starts (a quoted field may span lines). */
  line: number;
}

/** Split CSV text into records. Never throws: an unterminated quote is reported with its line. */
export function parseCsv(text: string): { records: CsvRecord[]; error?: { message: string; line: number } } {
  const records: CsvRecord[] = [];
  const input = text.replace(/^\uFEFF/, '');
  let line = 1;
  let fields: string[] = [];
  let field = '';
  let recordLine = 1;
  let i = 0;
  const endField = () => {
    fields.push(field);
    field = '';
  };
  const endRecord = () => {
    endField();
    // A blank line is no record.
    if (fields.length > 1 || fields[0] !== '') records.push({ fields, line: recordLine });
    fields = [];
    recordLine = line;
  };
  while (i < input.length) {
    const ch = input[i]!;
    if (ch === '"' && field === '') {
      const quoteLine = line;
      i++;
      for (;;) {
        if (i >= input.length) return { records, error: { message: 'a quoted field is not closed', line: quoteLine } };
        const c = input[i]!;
        if (c === '"' && input[i + 1] === '"') {
          field += '"';
          i += 2;
        } else if (c === '"') {
          i++;
          break;
        } else {
          if (c === '\n') line++;
          field += c;
          i++;
        }
      }
      const next = input[i];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
        return {
          records,
          error: {
            message: `unexpected '${next}' after a closing quote (write "" for a quote inside a quoted field)`,
            line,
          },
        };
      }
    } else if (ch === ',') {
      endField();
      i++;
    } else if (ch === '\r' || ch === '\n') {
      i += ch === '\r' && input[i + 1] === '\n' ? 2 : 1;
      line++;
      endRecord();
    } else {
      field += ch;
      i++;
    }
  }
  if (field !== '' || fields.length > 0) endRecord();
  return { records };
}
