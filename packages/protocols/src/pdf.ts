import PDFDocument from 'pdfkit';
import { PARTY_LIST_RULE, type ProtocolData, type RatingLine, candidateName, ratings, removed } from './data';

// DejaVu Sans from the dejavu-fonts-ttf package: every Kazakh and Russian letter, no network.
const FONT = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
const BOLD = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf');

const MARGIN = 40;
/** Columns of a rating table: x offset and width. */
const COLS = { place: [0, 30], name: [32, 250], votes: [285, 60], online: [348, 55], paper: [406, 50], percent: [459, 56] } as const;

type Doc = PDFKit.PDFDocument;

function heading(doc: Doc, text: string, size = 12): void {
  if (doc.y > doc.page.height - MARGIN - 60) doc.addPage();
  doc.moveDown(0.6).font('bold').fontSize(size).text(text, MARGIN, doc.y).font('regular').fontSize(9);
}

function row(doc: Doc, cells: Partial<Record<keyof typeof COLS, string>>, bold = false): void {
  if (doc.y > doc.page.height - MARGIN - 14) doc.addPage();
  const y = doc.y;
  doc.font(bold ? 'bold' : 'regular').fontSize(9);
  let bottom = y;
  for (const [key, [x, width]] of Object.entries(COLS)) {
    const text = cells[key as keyof typeof COLS];
    if (text === undefined) continue;
    doc.text(text, MARGIN + x, y, { width, align: key === 'name' ? 'left' : 'right' });
    bottom = Math.max(bottom, doc.y);
  }
  doc.x = MARGIN;
  doc.y = bottom + 2;
}

function ratingTable(doc: Doc, title: string, lines: RatingLine[]): void {
  heading(doc, title);
  row(doc, { place: '№', name: 'Кандидат', votes: 'Дауыс/Голоса', online: 'Онлайн', paper: 'Қағаз/Бум.', percent: '%' }, true);
  for (const { place, candidate: c } of lines) {
    const marks = [c.woman ? '♀' : '', c.youth ? '<35' : ''].filter(Boolean).join(' ');
    row(doc, { place: String(place), name: `${candidateName(c)}${marks ? ` (${marks})` : ''}`, votes: String(c.votes), online: String(c.online), paper: String(c.paper), percent: c.percent.toFixed(2) });
  }
  if (lines.length === 0) doc.text('—', MARGIN);
}

function summary(doc: Doc, d: ProtocolData): void {
  const c = d.contest;
  doc.font('bold').fontSize(14).text('Қорытынды хаттама / Итоговый протокол', MARGIN, MARGIN);
  doc.fontSize(11).text(`${c.name}${c.nameKk && c.nameKk !== c.name ? ` / ${c.nameKk}` : ''}`);
  doc.font('regular').fontSize(9).moveDown(0.4);
  const lines = [
    `Сайлау / Выборы: ${d.election.name}${d.election.nameKk && d.election.nameKk !== d.election.name ? ` / ${d.election.nameKk}` : ''} (id ${d.election.id}); бағдарлама / программа id ${c.id}`,
    `Өңір / Регион: ${c.region ?? '—'}; аудан / район: ${c.district ?? '—'}; орын / мест: ${c.seats}; белгі / отметок: ${c.maxChoices}`,
    `Дауыс беру / Голосование: ${d.election.opensAt} – ${d.election.closesAt}; жарияланды / опубликовано: ${d.publishedAt}`,
    `Бюллетень / Бюллетени: ${c.ballots} (онлайн ${c.online}, қағаз / бумажные ${c.paper})`,
    `Қатысу / Явка (партия мүшелері / члены партии): құқылы / имеют право ${d.turnout.eligible}, кірді / авторизовались ${d.turnout.authorized}, дауыс берді / проголосовали ${d.turnout.voted}`,
    `Нәтижелер суреті / Снимок итогов: v${d.snapshot.version}, ${d.snapshot.generatedAt}`,
    `SHA-256: ${d.snapshot.sha256}`,
  ];
  if (d.signingKey) lines.push(`Кілт / Ключ ${d.signingKey.id}: ${d.signingKey.publicKey}`);
  for (const l of lines) doc.text(l, MARGIN);
}

function partyList(doc: Doc, d: ProtocolData): void {
  const list = d.contest.partyList;
  if (!list) return;
  heading(doc, 'Партиялық тізім / Партийный список');
  doc.text(`${PARTY_LIST_RULE.kk}\n${PARTY_LIST_RULE.ru}`, MARGIN).moveDown(0.3);
  const byId = new Map(d.contest.candidates.map((c) => [c.id, c]));
  const why = { rating: 'рейтинг', women: 'әйелдер / женщины', youth: '<35', 'women+youth': 'әйелдер / женщины, <35' } as const;
  row(doc, { place: '№', name: 'Кандидат', votes: 'Дауыс/Голоса', percent: 'Негіз/Основ.' }, true);
  for (const e of list.entries) {
    const c = byId.get(e.id)!;
    row(doc, { place: String(e.position), name: candidateName(c), votes: String(c.votes), percent: why[e.reason] });
  }
  const displaced = list.displaced.map((id) => candidateName(byId.get(id)!));
  if (displaced.length) doc.text(`Квота бойынша орын берді / Уступили по квоте: ${displaced.join('; ')}`, MARGIN);
  doc.text(`Әйелдер / Женщины: ${list.women} (≥ ${list.womenRequired}); <35: ${list.youth} (≥ ${list.youthRequired})`, MARGIN);
}

/** A contest's protocol as a PDF (A4, DejaVu Sans embedded and subset). */
export function protocolPdf(d: ProtocolData): Promise<Buffer> {
  // Dated at publication, not at rendering: the same data gives the same document.
  const doc = new PDFDocument({ size: 'A4', margin: MARGIN, info: { Title: `Protocol ${d.election.id}-${d.contest.id}`, CreationDate: new Date(d.publishedAt) } });
  doc.registerFont('regular', FONT).registerFont('bold', BOLD);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  summary(doc, d);
  const r = ratings(d.contest);
  ratingTable(doc, 'Рейтинг', r.overall);
  ratingTable(doc, 'Әйелдер рейтингі / Рейтинг женщин', r.women);
  ratingTable(doc, '35 жасқа дейінгілер / Моложе 35 лет', r.youth);
  partyList(doc, d);
  const gone = removed(d.contest);
  if (gone.length) {
    heading(doc, 'Алынып тасталды / Сняты');
    for (const c of gone) doc.text(`${candidateName(c)}: ${c.removalReason ?? ''} (${c.removedAt ?? ''})`, MARGIN);
  }
  doc.end();
  return done;
}
