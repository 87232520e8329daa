import { execFile } from 'node:child_process';

// pdf.js (under pdf-parse) loads its worker with a dynamic import(), which jest's VM refuses
// without --experimental-vm-modules: the text is extracted by a plain node process instead.
const SCRIPT = `
const { PDFParse } = require(process.argv[1]);
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', async () => {
  const parser = new PDFParse({ data: new Uint8Array(Buffer.concat(chunks)) });
  const result = await parser.getText();
  await parser.destroy();
  process.stdout.write(result.text);
});`;

/** The text of a PDF, as pdf-parse (pdf.js) extracts it. */
export function pdfText(pdf: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, ['-e', SCRIPT, require.resolve('pdf-parse')], { maxBuffer: 16 << 20 }, (err, stdout) => (err ? reject(err as Error) : resolve(stdout)));
    child.stdin!.end(pdf);
  });
}
