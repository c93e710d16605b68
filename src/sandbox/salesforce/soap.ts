/**
 * The slice of the SOAP partner API (`POST /services/Soap/u/{version}`) the emulator serves: `convertLead()`, the one
 * call the REST API has no equivalent for. Envelopes are read the way a SOAP stack reads them (any namespace prefix,
 * the session in `SessionHeader`), but only simple elements are understood: `<name>text</name>` and
 * `<name xsi:nil="true"/>` inside each `<leadConverts>`. Nested sObjects (`accountRecord`, `contactRecord`…) answer a
 * fault, even though a real org accepts them: add them here together with a test that an adapter needs them.
 *
 * Answers are the partner WSDL's: `text/xml`, `soapenv:Envelope` with a `LimitInfoHeader`, the `…Response` element
 * holding one `result` per input; faults are HTTP 500 `soapenv:Fault` with an `sf:`-prefixed `faultcode`, as the
 * platform sends for an invalid session, the daily API limit or a malformed request.
 */

const SOAPENV = 'http://schemas.xmlsoap.org/soap/envelope/';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

export interface SoapRequest {
  /** The operation: the first element of the Body (`convertLead`). */
  operation: string;
  sessionId: string | null;
  /** The Body's inner XML. */
  body: string;
}

export class SoapFault extends Error {
  constructor(
    readonly exceptionCode: string,
    readonly exceptionMessage: string,
    /** `sf:` codes are the API's own; `soapenv:Client` is the SOAP stack refusing the message. */
    readonly faultPrefix: 'sf' | 'soapenv' = 'sf',
  ) {
    super(`${exceptionCode}: ${exceptionMessage}`);
    this.name = 'SoapFault';
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_m, e: string) =>
    e.startsWith('#x')
      ? String.fromCodePoint(parseInt(e.slice(2), 16))
      : e.startsWith('#')
        ? String.fromCodePoint(Number(e.slice(1)))
        : ENTITIES[e]!,
  );
}

function escape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** The inner XML of each `name` element (any prefix) in `xml`. */
function elements(xml: string, name: string): string[] {
  const re = new RegExp(`<(?:[\\w.-]+:)?${name}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w.-]+:)?${name}>`, 'g');
  return [...xml.matchAll(re)].map((m) => m[1]!);
}

export function parseSoapRequest(raw: unknown): SoapRequest {
  if (typeof raw !== 'string' || !/<(?:[\w.-]+:)?Envelope[\s>]/.test(raw)) {
    throw new SoapFault('Client', 'Unable to find envelope: the request body is not a SOAP message', 'soapenv');
  }
  const body = elements(raw, 'Body')[0];
  const operation = body !== undefined ? /^\s*<(?:[\w.-]+:)?([\w]+)/.exec(body)?.[1] : undefined;
  if (body === undefined || !operation) {
    throw new SoapFault('Client', 'No operation found in the SOAP Body', 'soapenv');
  }
  const header = elements(raw, 'Header')[0] ?? '';
  const session = elements(elements(header, 'SessionHeader')[0] ?? '', 'sessionId')[0];
  return { operation, sessionId: session !== undefined ? decode(session.trim()) : null, body };
}

/** Each `<leadConverts>` of a convertLead body as its simple elements (`null` for xsi:nil or an empty element). */
export function parseLeadConverts(body: string): Record<string, string | null>[] {
  const blocks = elements(body, 'leadConverts');
  if (blocks.length === 0) throw new SoapFault('INVALID_FIELD', 'convertLead needs at least one leadConverts element');
  if (blocks.length > 100) throw new SoapFault('LIMIT_EXCEEDED', 'convertLead accepts at most 100 leadConverts');
  return blocks.map((block) => {
    const out: Record<string, string | null> = {};
    const simple = /<(?:[\w.-]+:)?(\w+)((?:\s[^>]*?)?)(?:\/>|>([^<]*)<\/(?:[\w.-]+:)?\1>)/g;
    let rest = block;
    for (const m of block.matchAll(simple)) {
      const [whole, name, attrs, text] = m;
      const nil = /\bxsi:nil\s*=\s*"true"/.test(attrs ?? '') || text === undefined || text === '';
      out[name!] = nil ? null : decode(text!);
      rest = rest.replace(whole, '');
    }
    if (rest.trim() !== '') {
      throw new SoapFault(
        'INVALID_FIELD',
        'this emulator reads only simple LeadConvert elements (no accountRecord/contactRecord/opportunityRecord)',
      );
    }
    return out;
  });
}

function envelope(limit: { used: number; limit: number } | null, body: string, faultNs = false): string {
  const header = limit
    ? `<soapenv:Header><LimitInfoHeader><limitInfo><current>${limit.used}</current><limit>${limit.limit}</limit><type>API REQUESTS</type></limitInfo></LimitInfoHeader></soapenv:Header>`
    : '';
  const ns = faultNs ? ' xmlns:sf="urn:fault.partner.soap.sforce.com"' : ' xmlns="urn:partner.soap.sforce.com"';
  return `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${SOAPENV}"${ns} xmlns:xsi="${XSI}">${header}<soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;
}

type XmlValue = string | number | boolean | null | XmlValue[] | { [k: string]: XmlValue };

function toXml(name: string, value: XmlValue): string {
  if (value === null) return `<${name} xsi:nil="true"/>`;
  if (Array.isArray(value)) return value.map((v) => toXml(name, v)).join('');
  if (typeof value === 'object') {
    return `<${name}>${Object.entries(value)
      .map(([k, v]) => toXml(k, v))
      .join('')}</${name}>`;
  }
  return `<${name}>${escape(String(value))}</${name}>`;
}

/** `<{operation}Response>` with one `<result>` per result, element order as given. */
export function soapResponse(
  operation: string,
  results: Record<string, XmlValue>[],
  limit: { used: number; limit: number },
): string {
  return envelope(limit, `<${operation}Response>${toXml('result', results)}</${operation}Response>`);
}

export function soapFaultBody(f: SoapFault): string {
  const code = `${f.faultPrefix}:${f.exceptionCode}`;
  const detail =
    f.faultPrefix === 'sf'
      ? `<detail><sf:UnexpectedErrorFault xsi:type="sf:UnexpectedErrorFault"><sf:exceptionCode>${escape(
          f.exceptionCode,
        )}</sf:exceptionCode><sf:exceptionMessage>${escape(f.exceptionMessage)}</sf:exceptionMessage></sf:UnexpectedErrorFault></detail>`
      : '';
  const fault = `<soapenv:Fault><faultcode>${code}</faultcode><faultstring>${escape(
    f.faultPrefix === 'sf' ? `${f.exceptionCode}: ${f.exceptionMessage}` : f.exceptionMessage,
  )}</faultstring>${detail}</soapenv:Fault>`;
  return envelope(null, fault, true);
}
